import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Identity } from '../../core/model.js';
import { IDENTITY_KEYS, type IdentityKey, type PartyRef } from '../../core/party.js';
import { inLockOrder } from '../lock-order.js';
import type { Database, IdentityTable } from '../schema.js';
import { mergeIdentityReferences } from './identity-merge.js';

const KEY_COLUMN = { phone: 'phone_e164', lid: 'lid', bsuid: 'bsuid' } as const satisfies Record<
  IdentityKey,
  string
>;
const LOOKUP_CHUNK = 400;

/**
 * The identity layer: turns what sources know about a person (a phone, a lid, a business-scoped id)
 * into one stored identity, and merges two identities the moment a source shows they are one person.
 */
export class IdentityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(id: string): Promise<Identity | undefined> {
    const row = await this.db.selectFrom('identities').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toIdentity(row);
  }

  async findByKey(workspaceId: string, key: IdentityKey, value: string): Promise<Identity | undefined> {
    const row = await this.db
      .selectFrom('identities')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where(KEY_COLUMN[key], '=', value)
      .executeTakeFirst();
    return row && toIdentity(row);
  }

  /**
   * Resolves each party to an identity id (same order), creating identities for people never seen and
   * merging identities that a party proves to be one person. Run it inside the caller's transaction
   * (`db` may be a Transaction) so a batch's identities and messages commit together.
   */
  async resolve(
    db: Kysely<Database>,
    workspaceId: string,
    parties: readonly PartyRef[],
  ): Promise<{ ids: string[]; merged: boolean }> {
    const index = new IdentityIndex(await this.load(db, workspaceId, parties));
    const ids = new Map<PartyRef, string>();
    for (const party of inLockOrder(parties, partyLockKey)) {
      ids.set(party, await this.resolveOne(db, workspaceId, party, index));
    }
    // A later party may have merged away the identity an earlier one resolved to.
    const resolved = parties.map((party) => {
      const id = ids.get(party);
      if (id === undefined) throw new Error('a party was not resolved');
      return index.survivorOf(id);
    });
    return { ids: resolved, merged: index.merged };
  }

  private async resolveOne(
    db: Kysely<Database>,
    workspaceId: string,
    party: PartyRef,
    index: IdentityIndex,
  ): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const matches = index.matches(party);
      const [oldest, ...others] = matches.sort(
        (a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id),
      );
      if (!oldest) {
        const created = await this.insert(db, workspaceId, party);
        if (created) {
          index.add(created);
          return created.id;
        }
        // Another writer created this person between our read and our insert: read again.
        for (const row of await this.load(db, workspaceId, [party])) index.add(row);
        continue;
      }
      let survivor = oldest;
      for (const loser of others) {
        survivor = await mergeIdentities(db, survivor, loser);
        index.remove(loser, survivor.id);
      }
      const updated = await this.absorbParty(db, survivor, party);
      index.add(updated);
      return updated.id;
    }
    throw new Error(`Could not resolve identity for ${JSON.stringify(party)}`);
  }

  private async load(
    db: Kysely<Database>,
    workspaceId: string,
    parties: readonly PartyRef[],
  ): Promise<IdentityTable[]> {
    const rows: IdentityTable[] = [];
    for (const key of IDENTITY_KEYS) {
      const values = [...new Set(parties.map((p) => p[key]).filter((v): v is string => Boolean(v)))];
      for (let i = 0; i < values.length; i += LOOKUP_CHUNK) {
        const chunk = values.slice(i, i + LOOKUP_CHUNK);
        rows.push(
          ...(await db
            .selectFrom('identities')
            .selectAll()
            .where('workspace_id', '=', workspaceId)
            .where(KEY_COLUMN[key], 'in', chunk)
            .execute()),
        );
      }
    }
    return rows;
  }

  private async insert(
    db: Kysely<Database>,
    workspaceId: string,
    party: PartyRef,
  ): Promise<IdentityTable | undefined> {
    const now = Date.now();
    const row: IdentityTable = {
      id: newId('idn'),
      workspace_id: workspaceId,
      phone_e164: party.phone ?? null,
      wa_id: party.waId ?? null,
      lid: party.lid ?? null,
      bsuid: party.bsuid ?? null,
      parent_bsuid: party.parentBsuid ?? null,
      username: party.username ?? null,
      display_name: party.name ?? null,
      display_name_saved: party.name && party.nameIsSaved ? 1 : 0,
      created_at: now,
      updated_at: now,
    };
    const inserted = await db
      .insertInto('identities')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted ? row : undefined;
  }

  /**
   * A person's key moved (WhatsApp's number-change notice, a new business-scoped id): the identity
   * holding `from` takes `to`, keeping its chats and history; an identity that already held `to` (the
   * new number wrote first) is merged into it. Nothing happens when no identity holds `from` or the
   * move was already made, so a redelivered notice changes nothing. `fromKey` says which key `from` is
   * (default: the one that moves), to find someone stored before the notice named their old id.
   * Run it inside a transaction.
   */
  async changeKey(
    db: Kysely<Database>,
    workspaceId: string,
    key: 'phone' | 'bsuid',
    change: { from: string; fromKey?: 'phone' | 'bsuid'; to: string; waId?: string | undefined },
  ): Promise<string | undefined> {
    const column = KEY_COLUMN[key];
    const find = (value: string, by = column) =>
      db
        .selectFrom('identities')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where(by, '=', value)
        .executeTakeFirst();
    const old = await find(change.from, KEY_COLUMN[change.fromKey ?? key]);
    if (!old) return undefined;
    let survivor: IdentityTable = old;
    const holder = await find(change.to);
    if (holder && holder.id !== old.id) survivor = await mergeIdentities(db, old, holder);
    await db
      .updateTable('identities')
      .set({
        [column]: change.to,
        ...(key === 'phone' ? { wa_id: change.waId ?? survivor.wa_id } : {}),
        updated_at: Date.now(),
      })
      .where('id', '=', survivor.id)
      .execute();
    return survivor.id;
  }

  /**
   * Fills in keys the identity lacked and takes the newest name, except that a name the person gave
   * themselves does not replace an address-book one; writes only when something changed.
   */
  private async absorbParty(
    db: Kysely<Database>,
    row: IdentityTable,
    party: PartyRef,
  ): Promise<IdentityTable> {
    const next: IdentityTable = {
      ...row,
      phone_e164: row.phone_e164 ?? party.phone ?? null,
      lid: row.lid ?? party.lid ?? null,
      bsuid: row.bsuid ?? party.bsuid ?? null,
      parent_bsuid: party.parentBsuid ?? row.parent_bsuid,
      wa_id: party.waId ?? row.wa_id,
      username: party.username ?? row.username,
      ...nameOf(row, party),
    };
    const changed = (Object.keys(next) as (keyof IdentityTable)[]).some((key) => next[key] !== row[key]);
    if (!changed) return row;
    next.updated_at = Date.now();
    const { id, workspace_id, created_at, ...updates } = next;
    await db.updateTable('identities').set(updates).where('id', '=', id).execute();
    return next;
  }
}

/**
 * Merges `loser` into `survivor`: every message, event, reaction, participation and direct chat of
 * the loser moves to the survivor (two direct chats with one person in one account become one chat),
 * the survivor takes the keys it lacked, and the loser is deleted.
 */
export async function mergeIdentities(
  db: Kysely<Database>,
  survivor: IdentityTable,
  loser: IdentityTable,
): Promise<IdentityTable> {
  // Free the loser's unique keys first so the survivor can take them.
  await db
    .updateTable('identities')
    .set({ phone_e164: null, lid: null, bsuid: null })
    .where('id', '=', loser.id)
    .execute();
  const merged: IdentityTable = {
    ...survivor,
    phone_e164: survivor.phone_e164 ?? loser.phone_e164,
    lid: survivor.lid ?? loser.lid,
    bsuid: survivor.bsuid ?? loser.bsuid,
    parent_bsuid: survivor.parent_bsuid ?? loser.parent_bsuid,
    wa_id: survivor.wa_id ?? loser.wa_id,
    username: survivor.username ?? loser.username,
    ...(survivor.display_name_saved || !loser.display_name_saved
      ? { display_name: survivor.display_name ?? loser.display_name }
      : { display_name: loser.display_name, display_name_saved: 1 }),
    updated_at: Date.now(),
  };
  const { id, workspace_id, created_at, ...updates } = merged;
  await db.updateTable('identities').set(updates).where('id', '=', id).execute();
  await mergeIdentityReferences(db, survivor.id, loser.id);
  await db.deleteFrom('identities').where('id', '=', loser.id).execute();
  return merged;
}

/** The identities of one batch, indexed by each key, kept current as the batch creates and merges. */
class IdentityIndex {
  private readonly byKey = new Map<string, IdentityTable>();
  private readonly mergedInto = new Map<string, string>();

  constructor(rows: readonly IdentityTable[]) {
    for (const row of rows) this.add(row);
  }

  matches(party: PartyRef): IdentityTable[] {
    const found = new Map<string, IdentityTable>();
    for (const key of IDENTITY_KEYS) {
      const value = party[key];
      const row = value ? this.byKey.get(`${key}:${value}`) : undefined;
      if (row) found.set(row.id, row);
    }
    return [...found.values()];
  }

  add(row: IdentityTable): void {
    for (const key of IDENTITY_KEYS) {
      const value = row[KEY_COLUMN[key]];
      if (value) this.byKey.set(`${key}:${value}`, row);
    }
  }

  remove(row: IdentityTable, survivorId: string): void {
    for (const [key, value] of this.byKey) if (value.id === row.id) this.byKey.delete(key);
    this.mergedInto.set(row.id, survivorId);
  }

  get merged(): boolean {
    return this.mergedInto.size > 0;
  }

  survivorOf(id: string): string {
    let current = id;
    for (let next = this.mergedInto.get(current); next !== undefined; next = this.mergedInto.get(current))
      current = next;
    return current;
  }
}

export type IdentityFields = Omit<
  IdentityTable,
  'workspace_id' | 'display_name_saved' | 'created_at' | 'updated_at'
>;

/** The name an identity keeps when a party brings one: an address-book name wins over any other. */
function nameOf(
  row: IdentityTable,
  party: PartyRef,
): Pick<IdentityTable, 'display_name' | 'display_name_saved'> {
  if (!party.name || (row.display_name_saved && !party.nameIsSaved))
    return { display_name: row.display_name, display_name_saved: row.display_name_saved };
  return { display_name: party.name, display_name_saved: party.nameIsSaved ? 1 : row.display_name_saved };
}

export function toIdentity(row: IdentityFields): Identity {
  return {
    id: row.id,
    phone: row.phone_e164 ?? undefined,
    waId: row.wa_id ?? undefined,
    lid: row.lid ?? undefined,
    bsuid: row.bsuid ?? undefined,
    parentBsuid: row.parent_bsuid ?? undefined,
    username: row.username ?? undefined,
    displayName: row.display_name ?? undefined,
  };
}

/** New identities are created in the order of their strongest key (see inLockOrder). */
function partyLockKey(party: PartyRef): string {
  return `${party.phone ?? ''}|${party.lid ?? ''}|${party.bsuid ?? ''}`;
}
