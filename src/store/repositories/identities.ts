import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Identity } from '../../core/model.js';
import { IDENTITY_KEYS, type IdentityKey, type PartyRef } from '../../core/party.js';
import { whatsappEquivalents } from '../../core/phone.js';
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
  private changes = 0;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Counts the merges and key moves this process made. An id remembered for a key (the ingest's
   * cache) may be wrong once it changes: a merge deletes an identity, a moved phone names another.
   */
  get revision(): number {
    return this.changes;
  }

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
   * merging identities that a party proves to be one person. `merged` also says a phone moved from one
   * identity to another: either way an id known for a key before may be wrong now. Run it inside the
   * caller's transaction (`db` may be a Transaction) so a batch's identities and messages commit together.
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
    if (index.merged) this.changes++;
    return { ids: resolved, merged: index.merged };
  }

  private async resolveOne(
    db: Kysely<Database>,
    workspaceId: string,
    party: PartyRef,
    index: IdentityIndex,
  ): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const plan = planResolution(party, index);
      if (plan.movePhoneFrom) {
        // A number WhatsApp gave to someone else (a recycled number): the phone moves to the person
        // the party's lid or business-scoped id names; whoever held it keeps their history and keys.
        index.replace(await detachPhone(db, plan.movePhoneFrom));
        index.noteMove();
      }
      const [oldest, ...others] = plan.merge.sort(
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
      const updated = await this.absorbParty(db, survivor, plan.absorb);
      if (survivor.phone_e164 !== null && updated.phone_e164 !== survivor.phone_e164) index.noteMove();
      index.replace(updated);
      return updated.id;
    }
    throw new Error(`Could not resolve identity for ${JSON.stringify(party)}`);
  }

  /** The `@lid`s of the workspace's own WhatsApp accounts learned so far. */
  async ownLids(workspaceId: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('own_lids')
      .select('lid')
      .where('workspace_id', '=', workspaceId)
      .execute();
    return new Set(rows.map((row) => row.lid));
  }

  /** Notes lids of the workspace's own accounts; one already known is left as it is. */
  async recordOwnLids(db: Kysely<Database>, workspaceId: string, lids: Iterable<string>): Promise<void> {
    const learnedAt = Date.now();
    const rows = [...new Set(lids)].map((lid) => ({ workspace_id: workspaceId, lid, learned_at: learnedAt }));
    if (rows.length === 0) return;
    await db
      .insertInto('own_lids')
      .values(rows)
      .onConflict((oc) => oc.columns(['workspace_id', 'lid']).doNothing())
      .execute();
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
   * new number wrote first) is merged into it, unless the two carry keys of two WhatsApp accounts (see
   * planResolution): then a number leaves the other identity, which keeps its history. Nothing happens
   * when no identity holds `from` or the move was already made, so a redelivered notice changes
   * nothing. `fromKey` says which key `from` is (default: the one that moves), to find someone stored
   * before the notice named their old id. Run it inside a transaction.
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
    this.changes++;
    let survivor: IdentityTable = old;
    const holder = await find(change.to);
    if (holder && holder.id !== old.id) {
      // The one who held the new key is another WhatsApp account when the two carry different lids
      // (or, for a number change, different business-scoped ids): never merged. A number changes
      // hands, so it moves; a business-scoped id names its account, so then nothing is done.
      if (!conflicts(old, holder, key === 'phone' ? ['lid', 'bsuid'] : ['lid']))
        survivor = await mergeIdentities(db, old, holder);
      else if (key === 'phone') await detachPhone(db, holder);
      else return old.id;
    }
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
   * themselves does not replace an address-book one. The phone is the one key a person
   * changes: a party naming this identity by lid or business-scoped id with another number (a lid
   * mapping to a new phone) moves the identity to that number, unless WhatsApp treats the two as one
   * (Brazil 9th digit, Mexico `52 1`, Argentina `54 9`). Writes only when something changed.
   */
  private async absorbParty(
    db: Kysely<Database>,
    row: IdentityTable,
    party: PartyRef,
  ): Promise<IdentityTable> {
    const newNumber =
      party.phone !== undefined &&
      row.phone_e164 !== null &&
      !whatsappEquivalents(row.phone_e164).includes(party.phone);
    const next: IdentityTable = {
      ...row,
      phone_e164: newNumber ? (party.phone ?? null) : (row.phone_e164 ?? party.phone ?? null),
      lid: row.lid ?? party.lid ?? null,
      bsuid: row.bsuid ?? party.bsuid ?? null,
      parent_bsuid: party.parentBsuid ?? row.parent_bsuid,
      wa_id: party.waId ?? (newNumber ? null : row.wa_id),
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
  private moved = false;

  constructor(rows: readonly IdentityTable[]) {
    for (const row of rows) this.add(row);
  }

  /** The identity holding the party's value of `key`, if any. */
  holderOf(party: PartyRef, key: IdentityKey): IdentityTable | undefined {
    const value = party[key];
    return value ? this.byKey.get(`${key}:${value}`) : undefined;
  }

  add(row: IdentityTable): void {
    for (const key of IDENTITY_KEYS) {
      const value = row[KEY_COLUMN[key]];
      if (value) this.byKey.set(`${key}:${value}`, row);
    }
  }

  /** The identity changed its keys: what it no longer holds is forgotten. */
  replace(row: IdentityTable): void {
    for (const [key, value] of this.byKey) if (value.id === row.id) this.byKey.delete(key);
    this.add(row);
  }

  remove(row: IdentityTable, survivorId: string): void {
    for (const [key, value] of this.byKey) if (value.id === row.id) this.byKey.delete(key);
    this.mergedInto.set(row.id, survivorId);
  }

  /** A phone left the identity that held it. */
  noteMove(): void {
    this.moved = true;
  }

  /** Whether identities merged or a phone moved between them. */
  get merged(): boolean {
    return this.mergedInto.size > 0 || this.moved;
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

/** What resolving a party does: the identities it merges into one, and whose phone moves first. */
interface ResolutionPlan {
  merge: IdentityTable[];
  movePhoneFrom: IdentityTable | undefined;
  /** The party as the surviving identity takes it. */
  absorb: PartyRef;
}

/**
 * Identities are never merged when they carry two different lids or two different business-scoped
 * ids: each names one WhatsApp account, so two of them are two people. A phone is what changes hands:
 * a number a carrier hands to someone new becomes a new WhatsApp account, with its own lid (the library
 * keeps each phone's lid as last learned, WhiskeySockets/Baileys src/Signal/lid-mapping.ts
 * `storeLIDPNMappings`) and its own business-scoped id (Meta, "Business-scoped user IDs" and the
 * system messages webhook reference: a number or id change is notified, `user_changed_number` /
 * `user_changed_user_id`). So:
 * - the identities the party names by lid or business-scoped id are the person, and merge;
 * - the one holding the party's phone joins them unless its lid or business-scoped id differs from
 *   theirs, in which case the number was recycled: the phone moves, and the old identity keeps its
 *   history and keys;
 * - when the lid and the business-scoped id name two people (or the one named carries another id),
 *   nothing can tell which is right: the lid wins (WhatsApp's own account id; business-scoped ids are
 *   per business), nothing is merged, and the other keys and the phone are left where they are.
 */
function planResolution(party: PartyRef, index: IdentityIndex): ResolutionPlan {
  const byLid = index.holderOf(party, 'lid');
  const byBsuid = index.holderOf(party, 'bsuid');
  const anchors = [...new Map([byLid, byBsuid].flatMap((row) => (row ? [[row.id, row]] : []))).values()];
  const holder = index.holderOf(party, 'phone');
  const claimed = anchors.reduce<Keys>((keys, row) => unionOf(keys, row), keysOf(party));
  const undecided =
    anchors.some((row) => conflicts(row, keysOf(party))) ||
    (anchors.length === 2 && conflicts(anchors[0] as IdentityTable, anchors[1] as IdentityTable));
  if (undecided) {
    const { phone, waId, lid, bsuid, parentBsuid, ...names } = party;
    return { merge: [(byLid ?? byBsuid) as IdentityTable], movePhoneFrom: undefined, absorb: names };
  }
  if (!holder || anchors.some((row) => row.id === holder.id))
    return { merge: anchors, movePhoneFrom: undefined, absorb: party };
  if (conflicts(holder, claimed)) return { merge: anchors, movePhoneFrom: holder, absorb: party };
  return { merge: [...anchors, holder], movePhoneFrom: undefined, absorb: party };
}

type Keys = { lid: string | null; bsuid: string | null };

function keysOf(party: PartyRef): Keys {
  return { lid: party.lid ?? null, bsuid: party.bsuid ?? null };
}

function unionOf(a: Keys, b: Keys): Keys {
  return { lid: a.lid ?? b.lid, bsuid: a.bsuid ?? b.bsuid };
}

/** Whether two sets of keys name two WhatsApp accounts: two lids, or two business-scoped ids. */
function conflicts(a: Keys, b: Keys, only: readonly ('lid' | 'bsuid')[] = ['lid', 'bsuid']): boolean {
  return only.some((key) => a[key] !== null && b[key] !== null && a[key] !== b[key]);
}

/** The identity gives up its phone (and the wa_id spelling it): the number is someone else's now. */
async function detachPhone(db: Kysely<Database>, row: IdentityTable): Promise<IdentityTable> {
  const next = { ...row, phone_e164: null, wa_id: null, updated_at: Date.now() };
  await db
    .updateTable('identities')
    .set({ phone_e164: null, wa_id: null, updated_at: next.updated_at })
    .where('id', '=', row.id)
    .execute();
  return next;
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
