import { type Insertable, type Kysely, sql } from 'kysely';
import { newId } from '../../core/ids.js';
import type { MediaInfo, MediaState, Message, MessageType, Reaction } from '../../core/model.js';
import { bulkInsert } from '../bulk-insert.js';
import { inLockOrder } from '../lock-order.js';
import type { DialectName } from '../migrations/index.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';
import { type Database, type MediaTable, type MessageTable, readJson } from '../schema.js';
import { OWNER_REACTOR } from './reactions.js';

/** A message ready to store: ids resolved, time in epoch ms, media already in the blob store (or pending). */
export interface NewMessage {
  chatId: string;
  sourceMessageId: string;
  senderIdentityId: string | undefined;
  senderName: string | undefined;
  fromMe: boolean;
  sentAt: number;
  type: MessageType;
  text: string | undefined;
  replyToSourceId: string | undefined;
  details: Record<string, unknown> | undefined;
  raw: unknown;
  media: NewMedia | undefined;
}

export type NewMedia =
  | {
      state: 'stored';
      sha256: string;
      sizeBytes: number;
      mimeType: string | undefined;
      fileName: string | undefined;
    }
  | { state: 'pending'; sourceUrl: string; mimeType: string | undefined; fileName: string | undefined };

/** What a chat list shows of a chat's latest message. */
export interface LatestMessage {
  type: MessageType;
  text: string | undefined;
  fromMe: boolean;
  sentAt: number;
  deleted: boolean;
}

const DELIVERY_RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

const INSERT_CHUNK = 500;

const MESSAGE_COLUMNS = [
  'id',
  'account_id',
  'chat_id',
  'source_message_id',
  'sender_identity_id',
  'sender_name',
  'from_me',
  'sent_at',
  'type',
  'text',
  'reply_to_source_id',
  'edited_at',
  'deleted_at',
  'details',
  'raw',
  'received_at',
  'changed_at',
] as const satisfies readonly (keyof MessageTable)[];

export interface HistoryAround {
  /** Messages sent before the time. */
  before: number;
  /** Messages sent at or after it. */
  since: number;
  /** The first message at or after the time. */
  firstSinceAt: number | undefined;
  /** The latest message at or after the time. */
  lastSinceAt: number | undefined;
}

export class MessageRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /** The chat of each of these source ids that is stored in the account already. */
  async chatsOfStored(
    db: Kysely<Database>,
    accountId: string,
    sourceIds: readonly string[],
  ): Promise<Map<string, string>> {
    const chats = new Map<string, string>();
    const unique = [...new Set(sourceIds)];
    for (let i = 0; i < unique.length; i += INSERT_CHUNK) {
      const rows = await db
        .selectFrom('messages')
        .select(['source_message_id', 'chat_id'])
        .where('account_id', '=', accountId)
        .where('source_message_id', 'in', unique.slice(i, i + INSERT_CHUNK))
        .execute();
      for (const row of rows) chats.set(row.source_message_id, row.chat_id);
    }
    return chats;
  }

  /**
   * Inserts messages that are not stored yet (idempotent on account + source message id) and returns
   * the source ids that were new, mapped to their stored ids. Run inside the caller's transaction.
   */
  async insertNew(
    db: Kysely<Database>,
    accountId: string,
    messages: readonly NewMessage[],
  ): Promise<Map<string, string>> {
    const now = Date.now();
    const inserted = new Map<string, string>();
    const bySource = new Map(messages.map((m) => [m.sourceMessageId, m]));
    const ordered = inLockOrder(messages, (m) => m.sourceMessageId);
    for (let i = 0; i < ordered.length; i += INSERT_CHUNK) {
      const rows = ordered.slice(i, i + INSERT_CHUNK).map((m) => toMessageRow(accountId, m, now));
      const query = bulkInsert({
        dialect: this.dialect,
        table: 'messages',
        columns: MESSAGE_COLUMNS,
        rows: rows.map((row) => MESSAGE_COLUMNS.map((column) => row[column])),
        suffix: 'on conflict (account_id, source_message_id) do nothing returning id, source_message_id',
      });
      const returned = await db.executeQuery<{ id: string; source_message_id: string }>(query);
      for (const row of returned.rows) inserted.set(row.source_message_id, row.id);
    }
    const media: Insertable<MediaTable>[] = [];
    for (const [sourceId, messageId] of inserted) {
      const item = bySource.get(sourceId)?.media;
      if (item) media.push(toMediaRow(messageId, item, now));
    }
    for (let i = 0; i < media.length; i += INSERT_CHUNK) {
      await db
        .insertInto('media')
        .values(media.slice(i, i + INSERT_CHUNK))
        .execute();
    }
    return inserted;
  }

  /** A chat's messages in time order (oldest first unless `order` is desc), with reactions and media. */
  async listByChat(
    chatId: string,
    options: { limit: number; cursor?: string | undefined; order: 'asc' | 'desc' },
  ): Promise<Page<Message>> {
    let query = this.db.selectFrom('messages').selectAll().where('chat_id', '=', chatId);
    if (options.cursor) {
      const cursor = decodeCursor(options.cursor);
      const op = options.order === 'asc' ? '>' : '<';
      query = query.where((eb) =>
        eb.or([
          eb('sent_at', op, cursor.at),
          eb.and([eb('sent_at', '=', cursor.at), eb('id', op, cursor.id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('sent_at', options.order)
      .orderBy('id', options.order)
      .limit(options.limit + 1)
      .execute();
    const ids = rows.slice(0, options.limit).map((r) => r.id);
    const [reactions, media] = await Promise.all([this.reactionsFor(ids), this.mediaFor(ids)]);
    return toPage(
      rows,
      options.limit,
      (row) => toMessage(row, reactions.get(row.id) ?? [], media.get(row.id)),
      (row) => ({ at: row.sent_at, id: row.id }),
    );
  }

  /**
   * Fills messages stored as placeholders with the content of a later delivery of the same id.
   * A WhatsApp Business app number shared with the Cloud API sends its media history that way: each
   * media message first as a placeholder without content, then (for the last 14 days) again with it.
   * A message another app sent through the API is stored from its statuses alone (`sentElsewhere`) and
   * filled the same way should its content come.
   * `candidates` are messages insertNew found already stored; those with content replace a
   * placeholder's type, text and details and bring their media. Returns the chats of the filled ones,
   * and whether any media waits to be downloaded. Run inside the caller's transaction.
   */
  async fillPlaceholders(
    db: Kysely<Database>,
    accountId: string,
    candidates: readonly NewMessage[],
  ): Promise<{ chatIds: Set<string>; pendingMedia: boolean }> {
    const filled = { chatIds: new Set<string>(), pendingMedia: false };
    const withContent = new Map(
      candidates.filter((m) => m.type !== 'unsupported').map((m) => [m.sourceMessageId, m]),
    );
    if (withContent.size === 0) return filled;
    const now = Date.now();
    const sourceIds = [...withContent.keys()];
    for (let i = 0; i < sourceIds.length; i += INSERT_CHUNK) {
      const placeholders = await db
        .selectFrom('messages')
        .select(['id', 'chat_id', 'source_message_id', 'details'])
        .where('account_id', '=', accountId)
        .where('source_message_id', 'in', sourceIds.slice(i, i + INSERT_CHUNK))
        .where('type', '=', 'unsupported')
        .execute();
      for (const row of placeholders) {
        const details = readJson<Record<string, unknown> | null>(row.details);
        const content = withContent.get(row.source_message_id);
        const placeholder = details?.mediaPlaceholder === true || details?.sentElsewhere === true;
        if (!placeholder || content === undefined) continue;
        await db
          .updateTable('messages')
          .set({
            type: content.type,
            text: content.text ?? null,
            details: JSON.stringify({ ...content.details, filledPlaceholder: true }),
            changed_at: now,
          })
          .where('id', '=', row.id)
          .execute();
        if (content.media) {
          await db
            .insertInto('media')
            .values(toMediaRow(row.id, content.media, now))
            .execute();
          if (content.media.state === 'pending') filled.pendingMedia = true;
        }
        filled.chatIds.add(row.chat_id);
      }
    }
    return filled;
  }

  /**
   * Moves placeholders of messages sent by another app (`sentElsewhere`, stored from the first status
   * seen) back to the time their `sent` status gives, when that status came later and names an earlier
   * time. Returns how many moved.
   */
  async backdateSentElsewhere(
    accountId: string,
    sent: readonly { sourceMessageId: string; sentAt: number }[],
  ): Promise<number> {
    let moved = 0;
    for (const { sourceMessageId, sentAt } of sent) {
      const row = await this.db
        .selectFrom('messages')
        .select(['id', 'details'])
        .where('account_id', '=', accountId)
        .where('source_message_id', '=', sourceMessageId)
        .where('type', '=', 'unsupported')
        .where('sent_at', '>', sentAt)
        .executeTakeFirst();
      if (readJson<Record<string, unknown> | null>(row?.details ?? null)?.sentElsewhere !== true) continue;
      await this.db
        .updateTable('messages')
        .set({ sent_at: sentAt, changed_at: Date.now() })
        .where('id', '=', row?.id ?? '')
        .execute();
      moved++;
    }
    return moved;
  }

  /**
   * Records delivery statuses of messages sent from the account, each only when it moves the message
   * forward (sent < delivered < read < played; failed ends it): statuses arrive out of order and twice.
   * A status for a message not stored changes nothing (the Cloud API source stores one first).
   */
  async applyStatuses(
    accountId: string,
    statuses: readonly { messageId: string; status: string; at: number }[],
  ): Promise<number> {
    let applied = 0;
    for (const { messageId, status, at } of statuses) {
      const rank = DELIVERY_RANK[status];
      if (rank === undefined) continue;
      const result = await this.db
        .updateTable('messages')
        .set({ delivery_status: status, delivery_status_at: at })
        .where('account_id', '=', accountId)
        .where('source_message_id', '=', messageId)
        .where('from_me', '=', 1)
        .where((eb) =>
          eb.or([
            eb('delivery_status', 'is', null),
            eb(
              eb
                .case('delivery_status')
                .when('sent')
                .then(1)
                .when('delivered')
                .then(2)
                .when('read')
                .then(3)
                .when('played')
                .then(4)
                .when('failed')
                .then(5)
                .else(0)
                .end(),
              '<',
              rank,
            ),
          ]),
        )
        .executeTakeFirst();
      applied += Number(result.numUpdatedRows);
    }
    return applied;
  }

  /**
   * Send times of a chat's messages sent at or after `from`; with `changedSince`, only of those whose
   * transcript lines changed since then. The sync engine turns them into the days to write.
   */
  async sentTimes(chatId: string, from: number, changedSince?: number): Promise<number[]> {
    let query = this.db
      .selectFrom('messages')
      .select('sent_at')
      .where('chat_id', '=', chatId)
      .where('sent_at', '>=', from);
    if (changedSince !== undefined) query = query.where('changed_at', '>=', changedSince);
    return (await query.execute()).map((row) => Number(row.sent_at));
  }

  /** A chat's messages sent in [from, to), oldest first, with reactions and media. */
  async between(chatId: string, from: number, to: number): Promise<Message[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('chat_id', '=', chatId)
      .where('sent_at', '>=', from)
      .where('sent_at', '<', to)
      .orderBy('sent_at')
      .orderBy('id')
      .execute();
    const ids = rows.map((row) => row.id);
    const reactions = new Map<string, Reaction[]>();
    const media = new Map<string, MediaInfo>();
    for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
      const slice = ids.slice(i, i + INSERT_CHUNK);
      const [r, m] = await Promise.all([this.reactionsFor(slice), this.mediaFor(slice)]);
      for (const [id, list] of r) reactions.set(id, list);
      for (const [id, info] of m) media.set(id, info);
    }
    return rows.map((row) => toMessage(row, reactions.get(row.id) ?? [], media.get(row.id)));
  }

  private async reactionsFor(messageIds: string[]): Promise<Map<string, Reaction[]>> {
    const result = new Map<string, Reaction[]>();
    if (messageIds.length === 0) return result;
    const rows = await this.db
      .selectFrom('message_reactions')
      .selectAll()
      .where('message_id', 'in', messageIds)
      .orderBy('reacted_at')
      .execute();
    for (const row of rows) {
      const list = result.get(row.message_id) ?? [];
      list.push({
        emoji: row.emoji,
        identityId: row.reactor_identity_id ?? undefined,
        fromMe: row.reactor_key === OWNER_REACTOR,
        reactedAt: new Date(row.reacted_at),
      });
      result.set(row.message_id, list);
    }
    return result;
  }

  /** The source's original payload of one message of an account, or undefined when not stored. */
  async rawOf(accountId: string, sourceMessageId: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('messages')
      .select('raw')
      .where('account_id', '=', accountId)
      .where('source_message_id', '=', sourceMessageId)
      .executeTakeFirst();
    return row?.raw === undefined || row.raw === null ? undefined : readJson<unknown>(row.raw);
  }

  /**
   * Per chat of an account, its earliest message sent at or after `since`, with the source's payload:
   * where filling a gap in the chat's history starts (the source asks for what came before it).
   */
  async firstSince(
    accountId: string,
    since: number,
  ): Promise<{ chatId: string; sourceMessageId: string; sentAt: number; raw: unknown }[]> {
    const result = await sql<{
      chat_id: string;
      source_message_id: string;
      sent_at: number | string;
      raw: unknown;
    }>`
      select chat_id, source_message_id, sent_at, raw from (
        select chat_id, source_message_id, sent_at, raw,
          row_number() over (partition by chat_id order by sent_at asc, id asc) as rank
        from messages
        where account_id = ${accountId} and sent_at >= ${since}
      ) earliest where rank = 1
      order by sent_at desc`.execute(this.db);
    return result.rows.map((row) => ({
      chatId: row.chat_id,
      sourceMessageId: row.source_message_id,
      sentAt: Number(row.sent_at),
      raw: row.raw === null ? undefined : readJson<unknown>(row.raw),
    }));
  }

  /**
   * How a chat's messages (system notices aside) fall around a time: how many were sent before it and
   * since, the first of all, and the latest since. What the workspace says of a chat's CRM history.
   */
  async historyAround(chatId: string, from: number): Promise<HistoryAround> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => [
        eb.fn.sum<number | string | null>(sql`case when sent_at < ${from} then 1 else 0 end`).as('before'),
        eb.fn.sum<number | string | null>(sql`case when sent_at >= ${from} then 1 else 0 end`).as('since'),
        eb.fn.min<number | string | null>(sql`case when sent_at >= ${from} then sent_at end`).as('first'),
        eb.fn.max<number | string | null>(sql`case when sent_at >= ${from} then sent_at end`).as('last'),
      ])
      .where('chat_id', '=', chatId)
      .where('type', '<>', 'system')
      .executeTakeFirst();
    const number = (value: number | string | null | undefined) =>
      value === null || value === undefined ? undefined : Number(value);
    return {
      before: number(row?.before) ?? 0,
      since: number(row?.since) ?? 0,
      firstSinceAt: number(row?.first),
      lastSinceAt: number(row?.last),
    };
  }

  /** The latest message of each chat, for chat lists. */
  async latestOf(chatIds: readonly string[]): Promise<Map<string, LatestMessage>> {
    const latest = new Map<string, LatestMessage>();
    for (let i = 0; i < chatIds.length; i += INSERT_CHUNK) {
      const ids = chatIds.slice(i, i + INSERT_CHUNK);
      if (ids.length === 0) continue;
      const result = await sql<{
        chat_id: string;
        type: string;
        text: string | null;
        from_me: number | boolean;
        sent_at: number | string;
        deleted_at: number | string | null;
      }>`
        select chat_id, type, text, from_me, sent_at, deleted_at from (
          select chat_id, type, text, from_me, sent_at, deleted_at,
            row_number() over (partition by chat_id order by sent_at desc, id desc) as rank
          from messages
          where chat_id in (${sql.join(ids)}) and type <> 'system'
        ) latest where rank = 1`.execute(this.db);
      for (const row of result.rows) {
        latest.set(row.chat_id, {
          type: row.type as MessageType,
          text: row.text ?? undefined,
          fromMe: row.from_me === 1 || row.from_me === true,
          sentAt: Number(row.sent_at),
          deleted: row.deleted_at !== null,
        });
      }
    }
    return latest;
  }

  /** The media of one message of a chat, or undefined (no such message there, or no media). */
  async mediaOf(chatId: string, messageId: string): Promise<MediaInfo | undefined> {
    const row = await this.db
      .selectFrom('media')
      .innerJoin('messages', 'messages.id', 'media.message_id')
      .selectAll('media')
      .where('messages.chat_id', '=', chatId)
      .where('media.message_id', '=', messageId)
      .executeTakeFirst();
    return row && toMediaInfo(row);
  }

  private async mediaFor(messageIds: string[]): Promise<Map<string, MediaInfo>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('media')
      .selectAll()
      .where('message_id', 'in', messageIds)
      .execute();
    return new Map(rows.map((row) => [row.message_id, toMediaInfo(row)]));
  }
}

function toMessageRow(
  accountId: string,
  m: NewMessage,
  now: number,
): Record<(typeof MESSAGE_COLUMNS)[number], unknown> {
  return {
    id: newId('msg'),
    account_id: accountId,
    chat_id: m.chatId,
    source_message_id: m.sourceMessageId,
    sender_identity_id: m.senderIdentityId ?? null,
    sender_name: m.senderName ?? null,
    from_me: m.fromMe ? 1 : 0,
    sent_at: m.sentAt,
    type: m.type,
    text: m.text ?? null,
    reply_to_source_id: m.replyToSourceId ?? null,
    edited_at: null,
    deleted_at: null,
    details: m.details === undefined ? null : JSON.stringify(m.details),
    raw: JSON.stringify(m.raw),
    received_at: now,
    changed_at: now,
  };
}

function toMediaRow(messageId: string, media: NewMedia, now: number): Insertable<MediaTable> {
  return {
    id: newId('med'),
    message_id: messageId,
    state: media.state,
    sha256: media.state === 'stored' ? media.sha256 : null,
    mime_type: media.mimeType ?? null,
    size_bytes: media.state === 'stored' ? media.sizeBytes : null,
    file_name: media.fileName ?? null,
    source_url: media.state === 'pending' ? media.sourceUrl : null,
    attempts: 0,
    next_attempt_at: media.state === 'pending' ? now : null,
    failure: null,
    created_at: now,
    updated_at: now,
  };
}

type MessageRow = Omit<MessageTable, 'details' | 'raw'> & { details: unknown; raw: unknown };

function toMessage(row: MessageRow, reactions: Reaction[], media: MediaInfo | undefined): Message {
  return {
    id: row.id,
    accountId: row.account_id,
    chatId: row.chat_id,
    sourceMessageId: row.source_message_id,
    senderIdentityId: row.sender_identity_id ?? undefined,
    senderName: row.sender_name ?? undefined,
    fromMe: row.from_me === 1,
    sentAt: new Date(row.sent_at),
    type: row.type as MessageType,
    text: row.text ?? undefined,
    replyToSourceId: row.reply_to_source_id ?? undefined,
    editedAt: row.edited_at === null ? undefined : new Date(row.edited_at),
    delivery:
      row.delivery_status === null
        ? undefined
        : { status: row.delivery_status, at: new Date(Number(row.delivery_status_at ?? 0)) },
    deletedAt: row.deleted_at === null ? undefined : new Date(row.deleted_at),
    details: row.details === null ? undefined : readJson<Record<string, unknown>>(row.details),
    reactions,
    media,
  };
}

export function toMediaInfo(row: Omit<MediaTable, never>): MediaInfo {
  return {
    id: row.id,
    state: row.state as MediaState,
    sha256: row.sha256 ?? undefined,
    mimeType: row.mime_type ?? undefined,
    sizeBytes: row.size_bytes ?? undefined,
    fileName: row.file_name ?? undefined,
    failure: row.failure ?? undefined,
  };
}
