import { CompiledQuery, type Kysely, sql } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Chat, ChatKind, Identity } from '../../core/model.js';
import { bulkInsert, valuesClause } from '../bulk-insert.js';
import { inLockOrder } from '../lock-order.js';
import type { DialectName } from '../migrations/index.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';
import type { ChatTable, Database } from '../schema.js';
import { type CrmChatState, chatInStateSql } from './crm-chat-state.js';
import { type IdentityFields, toIdentity } from './identities.js';

/** What identifies a chat within an account: the other person, or the group's id. */
export type ChatKey =
  | { kind: 'direct'; partnerIdentityId: string; title?: string | undefined }
  | { kind: 'group'; groupKey: string; title?: string | undefined };

const LOOKUP_CHUNK = 400;

export class ChatRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Resolves chat keys to chat ids (same order) inside the caller's transaction, creating chats not
   * seen before (their ids go into `created`, when given). A later title for a group replaces the
   * stored one (groups get renamed).
   */
  async resolve(
    db: Kysely<Database>,
    accountId: string,
    keys: readonly ChatKey[],
    created?: Set<string>,
  ): Promise<string[]> {
    const known = await this.load(db, accountId, keys);
    for (const key of inLockOrder(keys, chatKeyString)) {
      let chat = known.get(chatKeyString(key));
      if (!chat) {
        const inserted = await this.insert(db, accountId, key);
        chat = inserted.row;
        if (inserted.created) created?.add(chat.id);
        known.set(chatKeyString(key), chat);
      } else if (key.title && key.kind === 'group' && key.title !== chat.title) {
        await db.updateTable('chats').set({ title: key.title }).where('id', '=', chat.id).execute();
        chat.title = key.title;
      }
    }
    return keys.map((key) => {
      const chat = known.get(chatKeyString(key));
      if (!chat) throw new Error(`chat ${chatKeyString(key)} was not resolved`);
      return chat.id;
    });
  }

  private async load(
    db: Kysely<Database>,
    accountId: string,
    keys: readonly ChatKey[],
  ): Promise<Map<string, ChatTable>> {
    const partners = unique(keys.flatMap((k) => (k.kind === 'direct' ? [k.partnerIdentityId] : [])));
    const groups = unique(keys.flatMap((k) => (k.kind === 'group' ? [k.groupKey] : [])));
    const rows: ChatTable[] = [];
    for (const [column, values] of [
      ['partner_identity_id', partners],
      ['group_key', groups],
    ] as const) {
      for (let i = 0; i < values.length; i += LOOKUP_CHUNK) {
        rows.push(
          ...(await db
            .selectFrom('chats')
            .selectAll()
            .where('account_id', '=', accountId)
            .where(column, 'in', values.slice(i, i + LOOKUP_CHUNK))
            .execute()),
        );
      }
    }
    return new Map(rows.map((row) => [rowKeyString(row), row]));
  }

  private async insert(
    db: Kysely<Database>,
    accountId: string,
    key: ChatKey,
  ): Promise<{ row: ChatTable; created: boolean }> {
    const now = Date.now();
    const row: ChatTable = {
      id: newId('chat'),
      account_id: accountId,
      kind: key.kind,
      partner_identity_id: key.kind === 'direct' ? key.partnerIdentityId : null,
      group_key: key.kind === 'group' ? key.groupKey : null,
      title: key.title ?? null,
      created_at: now,
      last_message_at: null,
      changed_at: now,
      change_seq: 1,
      history_from: null,
    };
    const inserted = await db
      .insertInto('chats')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { row, created: true };
    // A concurrent writer created the same chat first; use theirs.
    const column = key.kind === 'direct' ? 'partner_identity_id' : 'group_key';
    const value = key.kind === 'direct' ? key.partnerIdentityId : key.groupKey;
    const theirs = await db
      .selectFrom('chats')
      .selectAll()
      .where('account_id', '=', accountId)
      .where(column, '=', value)
      .executeTakeFirstOrThrow();
    return { row: theirs, created: false };
  }

  async addParticipants(
    db: Kysely<Database>,
    pairs: readonly { chatId: string; identityId: string }[],
  ): Promise<void> {
    const distinct = new Map(pairs.map((p) => [`${p.chatId}|${p.identityId}`, p]));
    const now = Date.now();
    const rows = inLockOrder(distinct.values(), (p) => `${p.chatId}|${p.identityId}`).map((p) => [
      p.chatId,
      p.identityId,
      now,
    ]);
    for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
      const query = bulkInsert({
        dialect: this.dialect,
        table: 'chat_participants',
        columns: ['chat_id', 'identity_id', 'added_at'],
        rows: rows.slice(i, i + LOOKUP_CHUNK),
        suffix: 'on conflict (chat_id, identity_id) do nothing',
      });
      await db.executeQuery(query);
    }
  }

  /**
   * Stamps each chat as changed now and moves its last-message time forward (never back: batches may
   * arrive out of order; 0 stamps a chat whose messages only changed), in one statement per few
   * hundred chats rather than one per chat.
   */
  async advanceLastMessage(db: Kysely<Database>, latest: ReadonlyMap<string, number>): Promise<void> {
    const now = Date.now();
    const entries = inLockOrder(latest, ([chatId]) => chatId);
    for (let i = 0; i < entries.length; i += LOOKUP_CHUNK) {
      const parameters: unknown[] = [];
      const values = valuesClause(
        this.dialect,
        entries.slice(i, i + LOOKUP_CHUNK),
        parameters,
        (mark, column) => (column === 1 ? `cast(${mark} as bigint)` : mark),
      );
      // VALUES columns are column1, column2 on both SQLite and Postgres.
      const query = CompiledQuery.raw(
        `update chats set changed_at = ${now}, change_seq = chats.change_seq + 1,
           last_message_at = case when chats.last_message_at is null or chats.last_message_at < v.column2
             then v.column2 else chats.last_message_at end
         from (values ${values}) as v where chats.id = v.column1`,
        parameters,
      );
      await db.executeQuery(query);
    }
  }

  async get(workspaceId: string, chatId: string): Promise<Chat | undefined> {
    const row = await this.baseQuery(workspaceId).where('chats.id', '=', chatId).executeTakeFirst();
    return row && toChat(row);
  }

  async getMany(workspaceId: string, chatIds: readonly string[]): Promise<Map<string, Chat>> {
    const chats = new Map<string, Chat>();
    for (let i = 0; i < chatIds.length; i += LOOKUP_CHUNK) {
      const rows = await this.baseQuery(workspaceId)
        .where('chats.id', 'in', chatIds.slice(i, i + LOOKUP_CHUNK))
        .execute();
      for (const row of rows) chats.set(row.id, toChat(row));
    }
    return chats;
  }

  /** The participants of many chats at once, keyed by chat id. */
  async participantsOf(chatIds: readonly string[]): Promise<Map<string, Identity[]>> {
    const result = new Map<string, Identity[]>();
    for (let i = 0; i < chatIds.length; i += LOOKUP_CHUNK) {
      const rows = await this.db
        .selectFrom('chat_participants')
        .innerJoin('identities', 'identities.id', 'chat_participants.identity_id')
        .selectAll('identities')
        .select('chat_participants.chat_id')
        .where('chat_participants.chat_id', 'in', chatIds.slice(i, i + LOOKUP_CHUNK))
        .orderBy('chat_participants.added_at')
        .execute();
      for (const row of rows) {
        const list = result.get(row.chat_id) ?? [];
        list.push(toIdentity(row));
        result.set(row.chat_id, list);
      }
    }
    return result;
  }

  /** Chats (direct or group) an identity is in, for re-syncing them after a link changes. */
  async idsWithIdentity(identityId: string): Promise<string[]> {
    const direct = await this.db
      .selectFrom('chats')
      .select('id')
      .where('partner_identity_id', '=', identityId)
      .execute();
    const groups = await this.db
      .selectFrom('chat_participants')
      .select('chat_id')
      .where('identity_id', '=', identityId)
      .execute();
    return [...new Set([...direct.map((r) => r.id), ...groups.map((r) => r.chat_id)])];
  }

  /**
   * The user asked for these chats' history from `from` on (an import, "Send older history"): their
   * messages from then go to the CRM whatever the backfill window, and the next run looks at them again.
   * The earlier of the old and new times wins, so asking never takes history back.
   */
  async sendHistoryFrom(chatIds: readonly string[], from: number): Promise<void> {
    const now = Date.now();
    for (let i = 0; i < chatIds.length; i += LOOKUP_CHUNK) {
      await this.db
        .updateTable('chats')
        .set((eb) => ({
          history_from: sql<number>`case when ${eb.ref('history_from')} is null or ${eb.ref('history_from')} > ${from} then ${from} else ${eb.ref('history_from')} end`,
          changed_at: now,
          change_seq: eb('change_seq', '+', 1),
        }))
        .where('id', 'in', chatIds.slice(i, i + LOOKUP_CHUNK))
        .execute();
    }
  }

  /** Chats with the most recent conversation first. */
  async list(
    workspaceId: string,
    options: {
      accountId?: string | undefined;
      /** Only chats of these accounts (the ones the reader may read); all when undefined. */
      accountIds?: readonly string[] | undefined;
      limit: number;
      cursor?: string | undefined;
      /** Part of the chat's title, the partner's name, or digits of the partner's number. */
      q?: string | undefined;
      /** Only chats in this CRM state on some connection (or the one named). */
      crm?: { state: CrmChatState; windowStart: number; connectionId?: string | undefined } | undefined;
    },
  ): Promise<Page<Chat>> {
    const activity = sql<number>`coalesce(chats.last_message_at, 0)`;
    let query = this.baseQuery(workspaceId);
    if (options.accountId) query = query.where('chats.account_id', '=', options.accountId);
    if (options.accountIds !== undefined) {
      if (options.accountIds.length === 0) return { data: [], nextCursor: undefined };
      query = query.where('chats.account_id', 'in', options.accountIds);
    }
    const q = options.q?.trim().toLowerCase();
    if (q) {
      const words = `%${escapeLike(q)}%`;
      const digits = q.replace(/\D/g, '');
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(chats.title)`, 'like', sql`${words} escape '\\'`),
          eb(sql`lower(identities.display_name)`, 'like', sql`${words} escape '\\'`),
          ...(digits.length >= 3 ? [eb('identities.phone_e164', 'like', `%${digits}%`)] : []),
        ]),
      );
    }
    if (options.crm) {
      const { state, windowStart, connectionId } = options.crm;
      query = query.where(chatInStateSql(workspaceId, state, windowStart, connectionId));
    }
    if (options.cursor) {
      const cursor = decodeCursor(options.cursor);
      query = query.where((eb) =>
        eb.or([
          eb(activity, '<', cursor.at),
          eb.and([eb(activity, '=', cursor.at), eb('chats.id', '<', cursor.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy(activity, 'desc')
      .orderBy('chats.id', 'desc')
      .limit(options.limit + 1)
      .execute();
    return toPage(rows, options.limit, toChat, (row) => ({ at: row.last_message_at ?? 0, id: row.id }));
  }

  /** The direct chats with this person, on the given accounts (all when undefined), newest first. */
  async findByPartner(
    workspaceId: string,
    identityId: string,
    accountIds?: readonly string[],
  ): Promise<Chat[]> {
    return this.findBy(workspaceId, 'chats.partner_identity_id', identityId, accountIds);
  }

  /** The chats of this group id (one per account holding it), newest first. */
  async findByGroupKey(
    workspaceId: string,
    groupKey: string,
    accountIds?: readonly string[],
  ): Promise<Chat[]> {
    return this.findBy(workspaceId, 'chats.group_key', groupKey, accountIds);
  }

  private async findBy(
    workspaceId: string,
    column: 'chats.partner_identity_id' | 'chats.group_key',
    value: string,
    accountIds: readonly string[] | undefined,
  ): Promise<Chat[]> {
    if (accountIds !== undefined && accountIds.length === 0) return [];
    let query = this.baseQuery(workspaceId).where(column, '=', value);
    if (accountIds !== undefined) query = query.where('chats.account_id', 'in', accountIds);
    const rows = await query
      .orderBy(sql`coalesce(chats.last_message_at, 0)`, 'desc')
      .orderBy('chats.id', 'desc')
      .execute();
    return rows.map(toChat);
  }

  async participants(chatId: string): Promise<Identity[]> {
    const rows = await this.db
      .selectFrom('chat_participants')
      .innerJoin('identities', 'identities.id', 'chat_participants.identity_id')
      .selectAll('identities')
      .where('chat_participants.chat_id', '=', chatId)
      .orderBy('chat_participants.added_at')
      .execute();
    return rows.map(toIdentity);
  }

  private baseQuery(workspaceId: string) {
    return this.db
      .selectFrom('chats')
      .innerJoin('accounts', 'accounts.id', 'chats.account_id')
      .leftJoin('identities', 'identities.id', 'chats.partner_identity_id')
      .selectAll('chats')
      .select([
        'identities.phone_e164 as p_phone',
        'identities.wa_id as p_wa_id',
        'identities.lid as p_lid',
        'identities.bsuid as p_bsuid',
        'identities.parent_bsuid as p_parent_bsuid',
        'identities.username as p_username',
        'identities.display_name as p_display_name',
      ])
      .where('accounts.workspace_id', '=', workspaceId);
  }
}

type ChatWithPartnerRow = ChatTable & {
  p_phone: string | null;
  p_wa_id: string | null;
  p_lid: string | null;
  p_bsuid: string | null;
  p_parent_bsuid: string | null;
  p_username: string | null;
  p_display_name: string | null;
};

function toChat(row: ChatWithPartnerRow): Chat {
  const partner: IdentityFields | undefined = row.partner_identity_id
    ? {
        id: row.partner_identity_id,
        phone_e164: row.p_phone,
        wa_id: row.p_wa_id,
        lid: row.p_lid,
        bsuid: row.p_bsuid,
        parent_bsuid: row.p_parent_bsuid,
        username: row.p_username,
        display_name: row.p_display_name,
      }
    : undefined;
  return {
    id: row.id,
    accountId: row.account_id,
    kind: row.kind as ChatKind,
    partner: partner && toIdentity(partner),
    groupKey: row.group_key ?? undefined,
    title: row.title ?? undefined,
    createdAt: new Date(row.created_at),
    lastMessageAt: row.last_message_at === null ? undefined : new Date(row.last_message_at),
    ...(row.history_from === null ? {} : { historyFrom: new Date(Number(row.history_from)) }),
  };
}

function chatKeyString(key: ChatKey): string {
  return key.kind === 'direct' ? `d:${key.partnerIdentityId}` : `g:${key.groupKey}`;
}

function rowKeyString(row: ChatTable): string {
  return row.kind === 'direct' ? `d:${row.partner_identity_id}` : `g:${row.group_key}`;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** A LIKE pattern's own characters, escaped with a backslash. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
