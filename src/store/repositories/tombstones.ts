import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { PartyRef } from '../../core/party.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { Database } from '../schema.js';

const LOOKUP_CHUNK = 400;

/** What a tombstone is keyed by: a canonical E.164 number, a `<digits>@lid` or a business-scoped id. */
export type TombstoneKey = { kind: 'phone' | 'lid' | 'bsuid'; value: string };

export interface Tombstone {
  id: string;
  erasureId: string | undefined;
  /** The country code and last two digits of the number, enough for an admin to tell two apart. */
  phoneHint: string;
  createdAt: Date;
}

/** The context a workspace's privacy key is sealed under (key rotation re-seals it; see sealed-secrets). */
export function privacyKeyContext(workspaceId: string): string {
  return `tombstone-key:${workspaceId}`;
}

/**
 * Tombstones keep an erased person out of the store. They hold HMAC-SHA256 hashes of the person's
 * number and WhatsApp ids under a random per-workspace key, sealed with the secret key: a copy of the
 * database alone cannot tell whose numbers they are (an unkeyed hash of a phone number is reversed by
 * trying every number of a country in seconds), yet a message arriving from the number is recognised
 * with one indexed lookup. The key is random rather than the secret key itself, so rotating the secret
 * key re-seals it and the hashes stay valid.
 */
export class TombstoneRepository {
  private box: SecretBox | undefined;
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Gives the repository the secret key that opens the privacy keys (done once at start). */
  unlock(box: SecretBox): void {
    this.box = box;
    this.keys.clear();
  }

  /** The keyed hash of one key, as stored in tombstone_keys. */
  async hashOf(workspaceId: string, key: TombstoneKey, db: Kysely<Database> = this.db): Promise<string> {
    const secret = await this.keyOf(workspaceId, db);
    return createHmac('sha256', secret).update(`${key.kind}:${key.value}`).digest('base64url');
  }

  /**
   * Which of these parties are tombstoned (by any of their keys): one lookup for the whole set. Pass
   * the caller's transaction as `db` to look inside it.
   */
  async tombstoned(
    workspaceId: string,
    parties: readonly PartyRef[],
    db: Kysely<Database> = this.db,
  ): Promise<Set<PartyRef>> {
    const found = new Set<PartyRef>();
    if (parties.length === 0) return found;
    // Nothing to compare against in a workspace without tombstones (the usual case): no key needed.
    const any = await db
      .selectFrom('tombstone_keys')
      .select('tombstone_id')
      .where('workspace_id', '=', workspaceId)
      .limit(1)
      .executeTakeFirst();
    if (!any) return found;
    const hashesOf = new Map<PartyRef, string[]>();
    for (const party of new Set(parties)) {
      const hashes: string[] = [];
      for (const key of keysOfParty(party)) hashes.push(await this.hashOf(workspaceId, key, db));
      hashesOf.set(party, hashes);
    }
    const all = [...new Set([...hashesOf.values()].flat())];
    const hit = new Set<string>();
    for (let i = 0; i < all.length; i += LOOKUP_CHUNK) {
      const rows = await db
        .selectFrom('tombstone_keys')
        .select('key_hash')
        .where('workspace_id', '=', workspaceId)
        .where('key_hash', 'in', all.slice(i, i + LOOKUP_CHUNK))
        .execute();
      for (const row of rows) hit.add(row.key_hash);
    }
    for (const [party, hashes] of hashesOf) if (hashes.some((h) => hit.has(h))) found.add(party);
    return found;
  }

  /**
   * Adds a tombstone with these key hashes (from hashOf, taken before the transaction: the key may
   * need the database) inside the caller's transaction; hashes already tombstoned stay with theirs.
   */
  async add(
    trx: Kysely<Database>,
    workspaceId: string,
    input: { erasureId: string | undefined; phoneHint: string; hashes: readonly string[] },
  ): Promise<string> {
    const id = newId('tmb');
    await trx
      .insertInto('tombstones')
      .values({
        id,
        workspace_id: workspaceId,
        erasure_id: input.erasureId ?? null,
        phone_hint: input.phoneHint,
        created_at: Date.now(),
      })
      .execute();
    for (const hash of new Set(input.hashes)) {
      await trx
        .insertInto('tombstone_keys')
        .values({ workspace_id: workspaceId, key_hash: hash, tombstone_id: id })
        .onConflict((oc) => oc.columns(['workspace_id', 'key_hash']).doNothing())
        .execute();
    }
    return id;
  }

  /** Adds key hashes to a tombstone that exists (a person erased again, with ids seen since). */
  async addKeys(trx: Kysely<Database>, workspaceId: string, tombstoneId: string, hashes: readonly string[]) {
    for (const hash of new Set(hashes)) {
      await trx
        .insertInto('tombstone_keys')
        .values({ workspace_id: workspaceId, key_hash: hash, tombstone_id: tombstoneId })
        .onConflict((oc) => oc.columns(['workspace_id', 'key_hash']).doNothing())
        .execute();
    }
  }

  async list(workspaceId: string): Promise<Tombstone[]> {
    const rows = await this.db
      .selectFrom('tombstones')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      erasureId: row.erasure_id ?? undefined,
      phoneHint: row.phone_hint,
      createdAt: new Date(Number(row.created_at)),
    }));
  }

  /** The tombstone that holds this number, if one does. */
  async findByPhone(workspaceId: string, e164: string): Promise<Tombstone | undefined> {
    // No tombstone, nothing to find: the key is not made just to look (a dry run writes nothing).
    const any = await this.db
      .selectFrom('tombstone_keys')
      .select('tombstone_id')
      .where('workspace_id', '=', workspaceId)
      .limit(1)
      .executeTakeFirst();
    if (!any) return undefined;
    const hash = await this.hashOf(workspaceId, { kind: 'phone', value: e164 });
    const row = await this.db
      .selectFrom('tombstone_keys')
      .select('tombstone_id')
      .where('workspace_id', '=', workspaceId)
      .where('key_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return undefined;
    return (await this.list(workspaceId)).find((t) => t.id === row.tombstone_id);
  }

  /** Lifts a tombstone: the person may be captured again from now on. */
  async lift(workspaceId: string, id: string): Promise<Tombstone | undefined> {
    const found = (await this.list(workspaceId)).find((t) => t.id === id);
    if (!found) return undefined;
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('tombstone_keys').where('tombstone_id', '=', id).execute();
      await trx.deleteFrom('tombstones').where('id', '=', id).execute();
    });
    return found;
  }

  /**
   * Orders erasures and captures of one workspace on Postgres: a capture holds the workspace row in
   * share mode for its transaction, an erasure holds it exclusively, so a batch either commits before
   * an erasure starts (and is erased with the rest) or sees its tombstone. SQLite needs nothing: its
   * write transactions take the database's one write lock up front (see writeTransaction).
   */
  async hold(
    trx: Kysely<Database>,
    dialect: 'sqlite' | 'postgres',
    workspaceId: string,
    mode: 'share' | 'update',
  ) {
    if (dialect !== 'postgres') return;
    let query = trx.selectFrom('workspaces').select('id').where('id', '=', workspaceId);
    query = mode === 'share' ? query.forShare() : query.forUpdate();
    await query.execute();
  }

  private async keyOf(workspaceId: string, db: Kysely<Database> = this.db): Promise<Buffer> {
    const cached = this.keys.get(workspaceId);
    if (cached) return cached;
    const box = this.box;
    if (!box) throw new Error('the tombstone key is locked: the store was opened without the secret key');
    const context = privacyKeyContext(workspaceId);
    let row = await db
      .selectFrom('privacy_keys')
      .select('sealed_key')
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    if (!row) {
      // Two processes may make one at once: the first insert wins and both read it back.
      await db
        .insertInto('privacy_keys')
        .values({
          workspace_id: workspaceId,
          sealed_key: box.seal(randomBytes(32).toString('base64url'), context),
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.column('workspace_id').doNothing())
        .execute();
      row = await db
        .selectFrom('privacy_keys')
        .select('sealed_key')
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirstOrThrow();
    }
    const key = Buffer.from(box.open(row.sealed_key, context), 'base64url');
    this.keys.set(workspaceId, key);
    return key;
  }
}

/** Every key a party carries that a tombstone may hold. */
export function keysOfParty(party: PartyRef): TombstoneKey[] {
  const keys: TombstoneKey[] = [];
  if (party.phone) keys.push({ kind: 'phone', value: party.phone });
  if (party.waId && /^\d+$/.test(party.waId)) keys.push({ kind: 'phone', value: `+${party.waId}` });
  if (party.lid) keys.push({ kind: 'lid', value: party.lid });
  if (party.bsuid) keys.push({ kind: 'bsuid', value: party.bsuid });
  return keys;
}

/** `+44 ••• 23`: the country code and last two digits of a number. */
export function phoneHint(e164: string, countryCode: string): string {
  return `+${countryCode} ••• ${e164.slice(-2)}`;
}
