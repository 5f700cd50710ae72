import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import type { RecordType } from '../../core/model.js';
import type { Database, RecordLinkTable } from '../schema.js';

/** How a link came about: found by phone in the CRM, created from the chat, or made by a person. */
export type LinkedBy = 'lookup' | 'created' | 'manual';

export interface RecordLink {
  id: string;
  connectionId: string;
  identityId: string;
  record: { type: RecordType; id: string; name: string | undefined };
  linkedBy: LinkedBy;
  linkedAt: Date;
  /** Messages from this time on go to the record (the backfill window of the link). */
  backfillFrom: Date;
  lastSyncedAt: Date | undefined;
}

/** Someone a person unlinked by hand, from which record and when. */
export interface Unlinked {
  connectionId: string;
  identityId: string;
  record: { type: RecordType; id: string; name: string | undefined };
  unlinkedAt: Date;
}

export interface NewLink {
  connectionId: string;
  identityId: string;
  record: { type: RecordType; id: string; name: string | undefined };
  linkedBy: LinkedBy;
  backfillFrom: number;
}

/**
 * One record per WhatsApp identity per CRM connection (a record may carry several identities). A link
 * made by hand wins over any found automatically; moving a link to another record starts that record's
 * backfill window afresh.
 */
export class RecordLinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Links, or re-links, and answers the link in force afterwards. */
  async link(input: NewLink, db: Kysely<Database> = this.db): Promise<RecordLink> {
    if (input.linkedBy !== 'lookup') {
      await db
        .deleteFrom('record_unlinks')
        .where('connection_id', '=', input.connectionId)
        .where('identity_id', '=', input.identityId)
        .execute();
    }
    const existing = await this.find(db, input.connectionId, input.identityId);
    const fields = {
      record_type: input.record.type,
      record_id: input.record.id,
      record_name: input.record.name ?? null,
      linked_by: input.linkedBy,
      linked_at: Date.now(),
      backfill_from: input.backfillFrom,
      last_synced_at: null,
    };
    if (existing) {
      const keepManual = existing.linked_by === 'manual' && input.linkedBy !== 'manual';
      if (keepManual || existing.record_id === input.record.id) return toLink(existing);
      await db.updateTable('record_links').set(fields).where('id', '=', existing.id).execute();
    } else {
      await db
        .insertInto('record_links')
        .values({
          id: newId('lnk'),
          connection_id: input.connectionId,
          identity_id: input.identityId,
          ...fields,
        })
        .onConflict((oc) => oc.columns(['connection_id', 'identity_id']).doNothing())
        .execute();
    }
    const current = await this.find(db, input.connectionId, input.identityId);
    if (!current) throw new Error('the link vanished while it was written');
    return toLink(current);
  }

  async forIdentities(
    connectionId: string,
    identityIds: readonly string[],
  ): Promise<Map<string, RecordLink>> {
    const links = new Map<string, RecordLink>();
    for (let i = 0; i < identityIds.length; i += 400) {
      const rows = await this.db
        .selectFrom('record_links')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('identity_id', 'in', identityIds.slice(i, i + 400))
        .execute();
      for (const row of rows) links.set(row.identity_id, toLink(row));
    }
    return links;
  }

  /** The links of these people in every connection. */
  async ofIdentities(identityIds: readonly string[]): Promise<RecordLink[]> {
    const links: RecordLink[] = [];
    for (let i = 0; i < identityIds.length; i += 400) {
      const ids = identityIds.slice(i, i + 400);
      if (ids.length === 0) continue;
      const rows = await this.db
        .selectFrom('record_links')
        .selectAll()
        .where('identity_id', 'in', ids)
        .execute();
      links.push(...rows.map(toLink));
    }
    return links;
  }

  async list(connectionId: string): Promise<RecordLink[]> {
    const rows = await this.db
      .selectFrom('record_links')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .orderBy('linked_at')
      .execute();
    return rows.map(toLink);
  }

  /**
   * A person unlinked someone by hand: the link goes, and a note of it stays so that the sync does not
   * match them by phone again (until `matchAgain` or a new link by hand).
   */
  async unlink(connectionId: string, identityId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const link = await this.find(trx, connectionId, identityId);
      if (!link) return false;
      await trx.deleteFrom('record_links').where('id', '=', link.id).execute();
      const note = {
        record_type: link.record_type,
        record_id: link.record_id,
        record_name: link.record_name,
        unlinked_at: Date.now(),
      };
      await trx
        .insertInto('record_unlinks')
        .values({ connection_id: connectionId, identity_id: identityId, ...note })
        .onConflict((oc) => oc.columns(['connection_id', 'identity_id']).doUpdateSet(note))
        .execute();
      return true;
    });
  }

  /** The people unlinked by hand on a connection, among these. */
  async unlinkedOf(connectionId: string, identityIds: readonly string[]): Promise<Map<string, Unlinked>> {
    const found = new Map<string, Unlinked>();
    for (let i = 0; i < identityIds.length; i += 400) {
      const ids = identityIds.slice(i, i + 400);
      if (ids.length === 0) continue;
      const rows = await this.db
        .selectFrom('record_unlinks')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('identity_id', 'in', ids)
        .execute();
      for (const row of rows) {
        found.set(row.identity_id, {
          connectionId,
          identityId: row.identity_id,
          record: {
            type: row.record_type === 'lead' ? 'lead' : 'contact',
            id: row.record_id,
            name: row.record_name ?? undefined,
          },
          unlinkedAt: new Date(Number(row.unlinked_at)),
        });
      }
    }
    return found;
  }

  /** Lets the sync match this person by phone again; answers whether they had been unlinked by hand. */
  async matchAgain(connectionId: string, identityId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('record_unlinks')
      .where('connection_id', '=', connectionId)
      .where('identity_id', '=', identityId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async markSynced(linkIds: readonly string[], at: number): Promise<void> {
    if (linkIds.length === 0) return;
    await this.db
      .updateTable('record_links')
      .set({ last_synced_at: at })
      .where('id', 'in', linkIds)
      .execute();
  }

  private find(db: Kysely<Database>, connectionId: string, identityId: string) {
    return db
      .selectFrom('record_links')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('identity_id', '=', identityId)
      .executeTakeFirst();
  }
}

/**
 * An identity merge brings the loser's links along. Where both identities are linked on one
 * connection, a link made by hand wins over an automatic one; otherwise the survivor's stays.
 */
export async function mergeRecordLinks(
  db: Kysely<Database>,
  survivorId: string,
  loserId: string,
): Promise<void> {
  const loserLinks = await db
    .selectFrom('record_links')
    .selectAll()
    .where('identity_id', '=', loserId)
    .execute();
  // What a person unlinked by hand stays unlinked on the survivor, unless it is linked there.
  const loserUnlinks = await db
    .selectFrom('record_unlinks')
    .selectAll()
    .where('identity_id', '=', loserId)
    .execute();
  for (const unlinked of loserUnlinks) {
    await db
      .deleteFrom('record_unlinks')
      .where('connection_id', '=', unlinked.connection_id)
      .where('identity_id', '=', loserId)
      .execute();
    const linked = await db
      .selectFrom('record_links')
      .select('id')
      .where('connection_id', '=', unlinked.connection_id)
      .where('identity_id', 'in', [survivorId, loserId])
      .executeTakeFirst();
    if (linked) continue;
    await db
      .insertInto('record_unlinks')
      .values({ ...unlinked, identity_id: survivorId })
      .onConflict((oc) => oc.columns(['connection_id', 'identity_id']).doNothing())
      .execute();
  }
  for (const link of loserLinks) {
    const survivorLink = await db
      .selectFrom('record_links')
      .selectAll()
      .where('connection_id', '=', link.connection_id)
      .where('identity_id', '=', survivorId)
      .executeTakeFirst();
    if (survivorLink && !(link.linked_by === 'manual' && survivorLink.linked_by !== 'manual')) {
      await db.deleteFrom('record_links').where('id', '=', link.id).execute();
      continue;
    }
    if (survivorLink) await db.deleteFrom('record_links').where('id', '=', survivorLink.id).execute();
    await db.updateTable('record_links').set({ identity_id: survivorId }).where('id', '=', link.id).execute();
  }
}

function toLink(row: Selectable<RecordLinkTable>): RecordLink {
  return {
    id: row.id,
    connectionId: row.connection_id,
    identityId: row.identity_id,
    record: {
      type: row.record_type === 'lead' ? 'lead' : 'contact',
      id: row.record_id,
      name: row.record_name ?? undefined,
    },
    linkedBy: row.linked_by as LinkedBy,
    linkedAt: new Date(row.linked_at),
    backfillFrom: new Date(row.backfill_from),
    lastSyncedAt: row.last_synced_at === null ? undefined : new Date(row.last_synced_at),
  };
}
