import { type Kysely, sql } from 'kysely';
import { newId } from '../../core/ids.js';
import { writtenObjectsOf } from '../../crms/written.js';
import { type Database, readJson } from '../schema.js';

const CHUNK = 400;
const DAY_MS = 86_400_000;

/** What an erasure found (a preview) or removed, by kind. */
export interface ErasureCounts {
  identities: number;
  directChats: number;
  /** Group chats the person was in: they stay, without the person's messages. */
  groupChats: number;
  messages: number;
  events: number;
  reactions: number;
  media: number;
  /** Media files deleted from disk (no other message used the same bytes); known after the commit. */
  mediaFiles: number;
  recordLinks: number;
  syncLedgerRows: number;
  /** Stored Cloud API webhook bodies that named the person, processed or parked: deleted. */
  webhookDeliveries: number;
  /** Webhook bodies still waiting that name the person: kept (others' messages may be in them). */
  webhookDeliveriesPending: number;
  /** Other people's stored payloads (group messages) that named the person: the mentions blanked. */
  payloadsRedacted: number;
}

export type CrmWriteState = 'listed' | 'deleted' | 'gone' | 'failed';

/** One object wasync wrote into a CRM from the person's chats, with its deletion state. */
export interface CrmWriteItem {
  connectionId: string;
  connectionName: string;
  kind: 'chat_record' | 'note' | 'file';
  crmId: string;
  recordType: string;
  recordId: string;
  day: string | undefined;
  state: CrmWriteState;
  /** The CRM's code and reason of the last failed deletion. */
  errorCode: string | undefined;
  error: string | undefined;
  /** When it was last tried. */
  attemptedAt: number | undefined;
}

export interface Erasure {
  id: string;
  phoneHint: string;
  requestedBy: string;
  requestedAt: Date;
  removed: ErasureCounts;
  crmWrites: CrmWriteItem[];
}

/** Everything of one person in a workspace, found by their identities. */
export interface ErasurePlan {
  identityIds: string[];
  /** Keys the identities carry (phones, lids, business-scoped ids): the tombstone holds them all. */
  keys: { kind: 'phone' | 'lid' | 'bsuid'; value: string }[];
  /** Digit strings of the person's number and lids, as payloads spell them. */
  needles: string[];
  directChatIds: string[];
  groupChatIds: string[];
  messages: { id: string; accountId: string; chatId: string; sourceId: string; sentAt: number }[];
  eventIds: string[];
  reactions: { messageId: string; reactorKey: string }[];
  media: { id: string; sha256: string | undefined }[];
  links: { id: string; connectionId: string; recordId: string }[];
  /** The links to records no one else is linked to: what was written onto those is all the person's. */
  ownLinks: { id: string; connectionId: string; recordId: string }[];
  ledgerRowIds: string[];
  webhookDeliveryIds: string[];
  pendingDeliveries: number;
  redactions: { id: string; raw: unknown }[];
  crmWrites: CrmWriteItem[];
}

/** The ledger columns an erasure reads: where each write went and what it answered. */
interface LedgerRow {
  id: string;
  connection_id: string;
  kind: string;
  chat_id: string;
  record_type: string;
  record_id: string;
  day: string | null;
  ref: unknown;
}

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(values.slice(i, i + CHUNK));
  return out;
}

/**
 * The store's side of an erasure: finding everything of a person (their identities, found by number
 * or WhatsApp id, and all that points at them) and removing it in one transaction, leaving a record of
 * what went and of the CRM writes made from their chats.
 */
export class ErasureRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Finds what an erasure of this number would remove. Run it in the erasing transaction too. */
  async plan(db: Kysely<Database>, workspaceId: string, e164: string): Promise<ErasurePlan> {
    const digits = e164.replace(/^\+/, '');
    const identities = await db
      .selectFrom('identities')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('phone_e164', '=', e164), eb('wa_id', '=', digits)]))
      .execute();
    const identityIds = identities.map((i) => i.id);
    const keys: ErasurePlan['keys'] = [{ kind: 'phone', value: e164 }];
    const needles = new Set([digits]);
    for (const identity of identities) {
      if (identity.phone_e164) keys.push({ kind: 'phone', value: identity.phone_e164 });
      if (identity.wa_id) keys.push({ kind: 'phone', value: `+${identity.wa_id}` });
      if (identity.lid) {
        keys.push({ kind: 'lid', value: identity.lid });
        needles.add(identity.lid.split('@')[0] ?? identity.lid);
      }
      if (identity.bsuid) keys.push({ kind: 'bsuid', value: identity.bsuid });
    }
    const accountIds = (
      await db.selectFrom('accounts').select('id').where('workspace_id', '=', workspaceId).execute()
    ).map((a) => a.id);

    const directChatIds: string[] = [];
    const groupChatIds = new Set<string>();
    const messages = new Map<string, ErasurePlan['messages'][number]>();
    const reactions: ErasurePlan['reactions'] = [];
    const eventIds = new Set<string>();
    const links: ErasurePlan['links'] = [];
    for (const ids of chunks(identityIds)) {
      for (const chat of await db
        .selectFrom('chats')
        .select('id')
        .where('partner_identity_id', 'in', ids)
        .execute())
        directChatIds.push(chat.id);
      for (const row of await db
        .selectFrom('chat_participants')
        .innerJoin('chats', 'chats.id', 'chat_participants.chat_id')
        .select('chats.id')
        .where('chat_participants.identity_id', 'in', ids)
        .where('chats.kind', '=', 'group')
        .execute())
        groupChatIds.add(row.id);
      for (const m of await db
        .selectFrom('messages')
        .select(['id', 'account_id', 'chat_id', 'source_message_id', 'sent_at'])
        .where('sender_identity_id', 'in', ids)
        .execute())
        messages.set(m.id, toPlanned(m));
      for (const r of await db
        .selectFrom('message_reactions')
        .select(['message_id', 'reactor_key'])
        .where((eb) => eb.or([eb('reactor_identity_id', 'in', ids), eb('reactor_key', 'in', ids)]))
        .execute())
        reactions.push({ messageId: r.message_id, reactorKey: r.reactor_key });
      for (const e of await db
        .selectFrom('message_events')
        .select('id')
        .where('sender_identity_id', 'in', ids)
        .execute())
        eventIds.add(e.id);
      for (const l of await db
        .selectFrom('record_links')
        .select(['id', 'connection_id', 'record_id'])
        .where('identity_id', 'in', ids)
        .execute())
        links.push({ id: l.id, connectionId: l.connection_id, recordId: l.record_id });
    }
    for (const ids of chunks(directChatIds)) {
      for (const m of await db
        .selectFrom('messages')
        .select(['id', 'account_id', 'chat_id', 'source_message_id', 'sent_at'])
        .where('chat_id', 'in', ids)
        .execute())
        messages.set(m.id, toPlanned(m));
    }
    const removed = [...messages.values()];
    const removedIds = new Set(removed.map((m) => m.id));
    const byAccount = new Map<string, string[]>();
    for (const m of removed) byAccount.set(m.accountId, [...(byAccount.get(m.accountId) ?? []), m.sourceId]);
    for (const [accountId, sourceIds] of byAccount) {
      for (const ids of chunks(sourceIds)) {
        for (const e of await db
          .selectFrom('message_events')
          .select('id')
          .where('account_id', '=', accountId)
          .where('target_source_message_id', 'in', ids)
          .execute())
          eventIds.add(e.id);
      }
    }
    const media: ErasurePlan['media'] = [];
    for (const ids of chunks([...removedIds])) {
      for (const r of await db
        .selectFrom('message_reactions')
        .select(['message_id', 'reactor_key'])
        .where('message_id', 'in', ids)
        .execute())
        reactions.push({ messageId: r.message_id, reactorKey: r.reactor_key });
      for (const row of await db
        .selectFrom('media')
        .select(['id', 'sha256'])
        .where('message_id', 'in', ids)
        .execute())
        media.push({ id: row.id, sha256: row.sha256 ?? undefined });
    }

    // Ledger rows and CRM writes: what was written from the direct chats, and what was written onto
    // the person's own records (group days included).
    const connections = await db
      .selectFrom('crm_connections')
      .select(['id', 'name'])
      .where('workspace_id', '=', workspaceId)
      .execute();
    const nameOf = new Map(connections.map((c) => [c.id, c.name]));
    const ledger = new Map<string, LedgerRow>();
    for (const ids of chunks(directChatIds)) {
      for (const row of await this.ledgerRows(db, (q) => q.where('chat_id', 'in', ids)))
        ledger.set(row.id, row);
    }
    // A record also linked to someone else (on the same connection) holds their days too: only the
    // direct chats' writes to it are the person's.
    const ownLinks: ErasurePlan['links'] = [];
    for (const link of links) {
      const shared = await db
        .selectFrom('record_links')
        .select('id')
        .where('connection_id', '=', link.connectionId)
        .where('record_id', '=', link.recordId)
        .where('identity_id', 'not in', identityIds)
        .limit(1)
        .executeTakeFirst();
      if (!shared) ownLinks.push(link);
    }
    for (const link of ownLinks) {
      for (const row of await this.ledgerRows(db, (q) =>
        q.where('connection_id', '=', link.connectionId).where('record_id', '=', link.recordId),
      ))
        ledger.set(row.id, row);
    }
    const crmWrites: CrmWriteItem[] = [];
    const seen = new Set<string>();
    const add = (row: LedgerRow, kind: CrmWriteItem['kind'], crmId: string) => {
      const key = `${row.connection_id}:${crmId}`;
      if (!nameOf.has(row.connection_id) || seen.has(key)) return;
      seen.add(key);
      crmWrites.push({
        connectionId: row.connection_id,
        connectionName: nameOf.get(row.connection_id) ?? row.connection_id,
        kind,
        crmId,
        recordType: row.record_type,
        recordId: row.record_id,
        day: row.day ?? undefined,
        state: 'listed',
        errorCode: undefined,
        error: undefined,
        attemptedAt: undefined,
      });
    };
    for (const row of ledger.values()) {
      if (!nameOf.has(row.connection_id)) continue;
      const ref =
        row.ref === null ? undefined : readJson<{ id?: string; related?: Record<string, string> }>(row.ref);
      if (!ref?.id) continue;
      if (row.kind === 'file') add(row, 'file', ref.id);
      else
        for (const object of writtenObjectsOf({ id: ref.id, related: ref.related }))
          add(row, object.kind, object.id);
    }

    // Stored webhook bodies that name the person (Cloud API bodies spell numbers as digits).
    const webhookDeliveryIds: string[] = [];
    let pendingDeliveries = 0;
    for (const ids of chunks(accountIds)) {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['id', 'state'])
        .where('account_id', 'in', ids)
        .where('body', 'like', `%"${digits}"%`)
        .execute();
      for (const row of rows) {
        if (row.state === 'pending') pendingDeliveries++;
        else webhookDeliveryIds.push(row.id);
      }
    }

    // Other people's group messages whose payload names the person (a mention, a quote).
    const redactions: ErasurePlan['redactions'] = [];
    for (const ids of chunks([...groupChatIds])) {
      for (const needle of needles) {
        const rows = await db
          .selectFrom('messages')
          .select(['id', 'raw'])
          .where('chat_id', 'in', ids)
          .where(sql<string>`cast(raw as text)`, 'like', `%${needle}%`)
          .execute();
        for (const row of rows) {
          if (removedIds.has(row.id) || redactions.some((r) => r.id === row.id)) continue;
          redactions.push({ id: row.id, raw: readJson(row.raw) });
        }
      }
    }
    for (const redaction of redactions) redaction.raw = redact(redaction.raw, [...needles]);

    return {
      identityIds,
      keys,
      needles: [...needles],
      directChatIds,
      groupChatIds: [...groupChatIds],
      messages: removed,
      eventIds: [...eventIds],
      reactions: dedupeReactions(reactions),
      media,
      links,
      ownLinks,
      ledgerRowIds: [...ledger.keys()],
      webhookDeliveryIds,
      pendingDeliveries,
      redactions,
      crmWrites,
    };
  }

  private ledgerRows(
    db: Kysely<Database>,
    where: (q: ReturnType<typeof this.ledgerQuery>) => ReturnType<typeof this.ledgerQuery>,
  ): Promise<LedgerRow[]> {
    return where(this.ledgerQuery(db)).execute();
  }

  private ledgerQuery(db: Kysely<Database>) {
    return db
      .selectFrom('sync_writes')
      .select(['id', 'connection_id', 'kind', 'chat_id', 'record_type', 'record_id', 'day', 'ref']);
  }

  /** Removes what the plan found, in the caller's transaction; answers the counts. */
  async remove(trx: Kysely<Database>, plan: ErasurePlan): Promise<ErasureCounts> {
    const messageIds = plan.messages.map((m) => m.id);
    for (const ids of chunks(plan.eventIds))
      await trx.deleteFrom('message_events').where('id', 'in', ids).execute();
    for (const r of plan.reactions)
      await trx
        .deleteFrom('message_reactions')
        .where('message_id', '=', r.messageId)
        .where('reactor_key', '=', r.reactorKey)
        .execute();
    for (const ids of chunks(messageIds)) {
      await trx.deleteFrom('media').where('message_id', 'in', ids).execute();
      await trx.deleteFrom('message_reactions').where('message_id', 'in', ids).execute();
      await trx.deleteFrom('messages').where('id', 'in', ids).execute();
    }
    for (const ids of chunks(plan.ledgerRowIds))
      await trx.deleteFrom('sync_writes').where('id', 'in', ids).execute();
    for (const ids of chunks(plan.directChatIds)) {
      await trx.deleteFrom('sync_chats').where('chat_id', 'in', ids).execute();
      await trx.deleteFrom('sync_targets').where('chat_id', 'in', ids).execute();
      await trx.deleteFrom('chat_participants').where('chat_id', 'in', ids).execute();
    }
    for (const link of plan.ownLinks)
      await trx
        .deleteFrom('sync_targets')
        .where('connection_id', '=', link.connectionId)
        .where('record_id', '=', link.recordId)
        .execute();
    for (const ids of chunks(plan.identityIds)) {
      await trx.deleteFrom('record_links').where('identity_id', 'in', ids).execute();
      await trx.deleteFrom('record_unlinks').where('identity_id', 'in', ids).execute();
      await trx.deleteFrom('chat_participants').where('identity_id', 'in', ids).execute();
    }
    for (const ids of chunks(plan.directChatIds))
      await trx.deleteFrom('chats').where('id', 'in', ids).execute();
    for (const ids of chunks(plan.identityIds))
      await trx.deleteFrom('identities').where('id', 'in', ids).execute();
    for (const ids of chunks(plan.webhookDeliveryIds))
      await trx.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
    const now = Date.now();
    for (const redaction of plan.redactions)
      await trx
        .updateTable('messages')
        .set({ raw: JSON.stringify(redaction.raw), changed_at: now })
        .where('id', '=', redaction.id)
        .execute();
    // The linked-device library's number ↔ lid pairs of the person (`<number>` and `<lid>_reverse`).
    const mappingIds = plan.needles.flatMap((n) => [n, `${n}_reverse`]);
    await trx
      .deleteFrom('whatsapp_web_auth')
      .where('kind', '=', 'lid-mapping')
      .where('key_id', 'in', mappingIds)
      .execute();
    // Group days that lost messages are rendered again by the next sync: the messages left around them
    // count as changed (see messages.changed_at and chats.change_seq).
    const groups = new Set(plan.groupChatIds);
    for (const chatId of groups) {
      const times = plan.messages.filter((m) => m.chatId === chatId).map((m) => m.sentAt);
      if (times.length === 0) continue;
      await trx
        .updateTable('messages')
        .set({ changed_at: now })
        .where('chat_id', '=', chatId)
        .where('sent_at', '>=', Math.min(...times) - 2 * DAY_MS)
        .where('sent_at', '<=', Math.max(...times) + 2 * DAY_MS)
        .execute();
    }
    return countsOf(plan);
  }

  async insert(
    trx: Kysely<Database>,
    input: {
      workspaceId: string;
      phoneHint: string;
      requestedBy: string;
      removed: ErasureCounts;
      crmWrites: CrmWriteItem[];
    },
  ): Promise<Erasure> {
    const row = {
      id: newId('era'),
      workspace_id: input.workspaceId,
      phone_hint: input.phoneHint,
      requested_by: input.requestedBy,
      requested_at: Date.now(),
      removed: JSON.stringify(input.removed),
      crm_writes: JSON.stringify(input.crmWrites),
    };
    await trx.insertInto('erasures').values(row).execute();
    return toErasure(row);
  }

  async list(workspaceId: string): Promise<Erasure[]> {
    const rows = await this.db
      .selectFrom('erasures')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('requested_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toErasure);
  }

  async get(workspaceId: string, id: string): Promise<Erasure | undefined> {
    const row = await this.db
      .selectFrom('erasures')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toErasure(row);
  }

  async update(id: string, change: { removed?: ErasureCounts; crmWrites?: CrmWriteItem[] }): Promise<void> {
    await this.db
      .updateTable('erasures')
      .set({
        ...(change.removed ? { removed: JSON.stringify(change.removed) } : {}),
        ...(change.crmWrites ? { crm_writes: JSON.stringify(change.crmWrites) } : {}),
      })
      .where('id', '=', id)
      .execute();
  }
}

export function countsOf(plan: ErasurePlan): ErasureCounts {
  return {
    identities: plan.identityIds.length,
    directChats: plan.directChatIds.length,
    groupChats: plan.groupChatIds.length,
    messages: plan.messages.length,
    events: plan.eventIds.length,
    reactions: plan.reactions.length,
    media: plan.media.length,
    mediaFiles: 0,
    recordLinks: plan.links.length,
    syncLedgerRows: plan.ledgerRowIds.length,
    webhookDeliveries: plan.webhookDeliveryIds.length,
    webhookDeliveriesPending: plan.pendingDeliveries,
    payloadsRedacted: plan.redactions.length,
  };
}

function toPlanned(m: {
  id: string;
  account_id: string;
  chat_id: string;
  source_message_id: string;
  sent_at: number;
}): ErasurePlan['messages'][number] {
  return {
    id: m.id,
    accountId: m.account_id,
    chatId: m.chat_id,
    sourceId: m.source_message_id,
    sentAt: Number(m.sent_at),
  };
}

function dedupeReactions(reactions: ErasurePlan['reactions']): ErasurePlan['reactions'] {
  const unique = new Map(reactions.map((r) => [`${r.messageId}\u0000${r.reactorKey}`, r]));
  return [...unique.values()];
}

/** The value with every string that holds one of the needles replaced, structure kept. */
export function redact(value: unknown, needles: readonly string[]): unknown {
  if (typeof value === 'string') return needles.some((n) => value.includes(n)) ? '[erased]' : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, needles));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, needles)]));
  return value;
}

function toErasure(row: {
  id: string;
  phone_hint: string;
  requested_by: string;
  requested_at: number;
  removed: unknown;
  crm_writes: unknown;
}): Erasure {
  return {
    id: row.id,
    phoneHint: row.phone_hint,
    requestedBy: row.requested_by,
    requestedAt: new Date(Number(row.requested_at)),
    removed: readJson<ErasureCounts>(row.removed),
    crmWrites: readJson<CrmWriteItem[]>(row.crm_writes),
  };
}
