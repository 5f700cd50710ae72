import type { Kysely } from 'kysely';
import { WasyncError } from '../core/errors.js';
import type { Account } from '../core/model.js';
import type { PartyRef } from '../core/party.js';
import type { Store } from '../store/index.js';
import type { ChatKey } from '../store/repositories/chats.js';
import type { NewEvent } from '../store/repositories/events.js';
import type { NewMedia, NewMessage } from '../store/repositories/messages.js';
import type { Database } from '../store/schema.js';
import { writeTransaction } from '../store/write-transaction.js';
import { present, resolveBatch } from './batch-resolution.js';
import { ResolutionCache, ResolvedEntries } from './resolution-cache.js';
import type { IngestChat, IngestEvent, IngestItem, IngestMessage, IngestResult } from './types.js';

export type ChatsChangedListener = (accountId: string, chatIds: string[]) => void;

/**
 * The one way messages enter the store, whichever source they came from. A batch is all or nothing:
 * identities, chats, messages and events commit in one transaction, and every write is idempotent on
 * the source's ids, so a batch delivered twice (or retried after a crash) stores each thing once.
 */
export class IngestPipeline {
  /** Called after a commit that stored media still to be downloaded. */
  onPendingMedia: (() => void) | undefined;
  /** Told after a commit that stored or changed messages, with the chats they are in. */
  private readonly chatsChangedListeners = new Set<ChatsChangedListener>();

  private readonly cache = new ResolutionCache();

  constructor(private readonly store: Store) {}

  /**
   * The chat of a person or group on an account, created without messages unless it is there (the card
   * links or creates a CRM record for a chat not captured yet). One write transaction, ordered against
   * erasures as a batch's is: an erased partner is refused, erased members of a group are left out.
   */
  async ensureChat(account: Account, chat: IngestChat): Promise<{ chatId: string; created: boolean }> {
    return writeTransaction(this.store.sql.db, this.store.sql.dialect, async (trx) => {
      await this.store.tombstones.hold(trx, this.store.sql.dialect, account.workspaceId, 'share');
      const parties = chat.kind === 'direct' ? [chat.partner] : chat.participants;
      const gone = await this.store.tombstones.tombstoned(account.workspaceId, parties, trx);
      if (chat.kind === 'direct' && gone.size > 0) {
        throw new WasyncError(
          'person_erased',
          'This person was erased: no chat with them is stored until an admin lifts the tombstone.',
        );
      }
      const kept = parties.filter((party) => !gone.has(party));
      const { ids } = await this.store.identities.resolve(trx, account.workspaceId, kept);
      const key: ChatKey =
        chat.kind === 'group'
          ? { kind: 'group', groupKey: chat.groupKey, title: chat.title }
          : { kind: 'direct', partnerIdentityId: present(ids[0]) };
      const created = new Set<string>();
      const chatId = present((await this.store.chats.resolve(trx, account.id, [key], created))[0]);
      await this.store.chats.addParticipants(
        trx,
        ids.map((identityId) => ({ chatId, identityId })),
      );
      return { chatId, created: created.has(chatId) };
    });
  }

  /**
   * Listens for commits that stored or changed messages (the live events, the real-time sync);
   * answers a function that stops listening. A listener that throws does not stop the others.
   */
  onChatsChanged(listener: ChatsChangedListener): () => void {
    this.chatsChangedListeners.add(listener);
    return () => this.chatsChangedListeners.delete(listener);
  }

  async ingest(account: Account, given: readonly IngestItem[]): Promise<IngestResult> {
    const { items, dropped } = await this.withoutTombstoned(account, given);
    const messages = items.filter((i): i is IngestMessage => i.kind === 'message');
    const events = items.filter((i): i is IngestEvent => i.kind !== 'message');
    // Bytes go to the blob store before the transaction: content-addressed, so an abandoned batch
    // leaves at worst an unreferenced file, never a message pointing at missing bytes.
    const media = await this.storeMediaBytes(messages);
    const run = async (cache: ResolutionCache | undefined) => {
      const resolved = new ResolvedEntries();
      const outcome = await writeTransaction(this.store.sql.db, this.store.sql.dialect, (trx) =>
        this.write({ trx, account, messages, events, media, cache, resolved: resolved.reset() }),
      );
      return { outcome, resolved };
    };
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(this.cache);
    } catch (error) {
      // Another process merged away an identity or chat this one had cached: forget, and redo.
      if (!isForeignKeyViolation(error)) throw error;
      this.cache.clear();
      result = await run(undefined);
    }
    if (result.outcome.merged) this.cache.clear();
    this.cache.remember(result.resolved);
    const { outcome } = result;
    if (outcome.pendingMedia) this.onPendingMedia?.();
    if (outcome.changedChats.length > 0) {
      for (const listener of this.chatsChangedListeners) {
        try {
          listener(account.id, outcome.changedChats);
        } catch {
          // A listener's failure is its own: the batch is stored.
        }
      }
    }
    const late = outcome.dropped;
    return {
      received: given.length,
      stored: { messages: outcome.messages, events: outcome.events },
      duplicates: {
        messages: messages.length - late.messages - outcome.messages,
        events: events.length - late.events - outcome.events,
      },
      dropped: { messages: dropped.messages + late.messages, events: dropped.events + late.events },
      chats: [...outcome.firstSent].map(([id, firstSentAt]) => ({ id, firstSentAt })),
    };
  }

  /**
   * Leaves out what involves an erased person (a tombstone holds their number or WhatsApp id): a direct
   * chat with them both ways, what they wrote in groups, their reactions and edits, and their place in
   * a group's participant list; an event on a message left out goes with it. Nothing of it is stored.
   */
  private async withoutTombstoned(
    account: Account,
    items: readonly IngestItem[],
    db: Kysely<Database> = this.store.sql.db,
  ): Promise<{ items: readonly IngestItem[]; dropped: IngestResult['dropped'] }> {
    const parties: PartyRef[] = [];
    for (const item of items) {
      if (item.sender) parties.push(item.sender);
      if (item.kind !== 'message') continue;
      if (item.chat.kind === 'direct') parties.push(item.chat.partner);
      else parties.push(...item.chat.participants);
    }
    const gone = await this.store.tombstones.tombstoned(account.workspaceId, parties, db);
    if (gone.size === 0) return { items, dropped: { messages: 0, events: 0 } };
    const droppedIds = new Set<string>();
    const kept: IngestItem[] = [];
    for (const item of items) {
      if (item.kind === 'message') {
        const partnerGone = item.chat.kind === 'direct' && gone.has(item.chat.partner);
        if (partnerGone || (item.sender !== undefined && gone.has(item.sender))) {
          droppedIds.add(item.sourceId);
          continue;
        }
        kept.push(
          item.chat.kind === 'group'
            ? {
                ...item,
                chat: { ...item.chat, participants: item.chat.participants.filter((p) => !gone.has(p)) },
              }
            : item,
        );
      } else if (!(item.sender !== undefined && gone.has(item.sender)) && !droppedIds.has(item.target)) {
        kept.push(item);
      }
    }
    const keptMessages = kept.filter((i) => i.kind === 'message').length;
    const allMessages = items.filter((i) => i.kind === 'message').length;
    return {
      items: kept,
      dropped: {
        messages: allMessages - keptMessages,
        events: items.length - allMessages - (kept.length - keptMessages),
      },
    };
  }

  private async write(options: {
    trx: Kysely<Database>;
    account: Account;
    messages: IngestMessage[];
    events: IngestEvent[];
    media: Map<IngestMessage, NewMedia>;
    cache: ResolutionCache | undefined;
    resolved: ResolvedEntries;
  }) {
    const { trx, account, media } = options;
    // Checked again inside the transaction, ordered against erasures: a person erased since the check
    // before it is left out too (their bytes, stored already, stay unreferenced).
    await this.store.tombstones.hold(trx, this.store.sql.dialect, account.workspaceId, 'share');
    const recheck = await this.withoutTombstoned(account, [...options.messages, ...options.events], trx);
    const messages = recheck.items.filter((i): i is IngestMessage => i.kind === 'message');
    const events = recheck.items.filter((i): i is IngestEvent => i.kind !== 'message');
    // By source id: a group message the check rewrote (a participant left out) is a new object.
    const mediaOf = new Map([...media].map(([m, stored]) => [m.sourceId, stored]));
    // A message stored already is a duplicate whatever chat it names now: only new ones resolve
    // their chat and people, so a re-posted id naming another chat creates no empty chat.
    const storedChats = await this.store.messages.chatsOfStored(
      trx,
      account.id,
      messages.map((m) => m.sourceId),
    );
    const fresh = messages.filter((m) => !storedChats.has(m.sourceId));
    const { identityOf, chatIds, merged } = await resolveBatch({
      ...options,
      messages: fresh,
      store: this.store,
    });
    const freshChat = new Map(fresh.map((m, i) => [m, present(chatIds[i])]));

    const rows: NewMessage[] = messages.map((m) => ({
      chatId: freshChat.get(m) ?? present(storedChats.get(m.sourceId)),
      sourceMessageId: m.sourceId,
      senderIdentityId: m.fromMe || !m.sender || !freshChat.has(m) ? undefined : identityOf(m.sender),
      senderName: m.fromMe ? undefined : (m.sender?.name ?? m.senderName),
      fromMe: m.fromMe,
      sentAt: m.sentAt,
      type: m.type,
      text: m.text,
      replyToSourceId: m.replyTo,
      details: m.details,
      raw: m.raw,
      media: mediaOf.get(m.sourceId),
    }));
    const inserted = await this.store.messages.insertNew(trx, account.id, rows);
    // A message stored before without its content (a media placeholder) gets it from this delivery.
    const repeated = rows.filter((row) => !inserted.has(row.sourceMessageId));
    const filled = await this.store.messages.fillPlaceholders(trx, account.id, repeated);
    const newEvents = await this.store.events.insertNew(
      trx,
      account.id,
      events.map((e) => toNewEvent(e, identityOf)),
    );
    const changedChats = await this.store.events.applyPending(trx, account.id, [
      ...inserted.keys(),
      ...events.map((e) => e.target),
    ]);

    // Chats whose messages only changed (an edit, a reaction) are stamped too: 0 moves no time.
    const latest = new Map<string, number>([...changedChats, ...filled.chatIds].map((chatId) => [chatId, 0]));
    for (const row of rows) {
      if (!inserted.has(row.sourceMessageId)) continue;
      latest.set(row.chatId, Math.max(latest.get(row.chatId) ?? 0, row.sentAt));
    }
    await this.store.chats.advanceLastMessage(trx, latest);
    const firstSent = new Map<string, number>();
    for (const row of rows) {
      firstSent.set(row.chatId, Math.min(firstSent.get(row.chatId) ?? row.sentAt, row.sentAt));
    }
    if (inserted.size > 0) await advanceAccountLastMessage(trx, account.id, Math.max(...latest.values()));
    return {
      merged,
      dropped: recheck.dropped,
      messages: inserted.size,
      events: newEvents.length,
      changedChats: [...latest.keys()],
      firstSent,
      pendingMedia:
        filled.pendingMedia ||
        rows.some((r) => r.media?.state === 'pending' && inserted.has(r.sourceMessageId)),
    };
  }

  private async storeMediaBytes(messages: IngestMessage[]): Promise<Map<IngestMessage, NewMedia>> {
    const result = new Map<IngestMessage, NewMedia>();
    for (const m of messages) {
      if (!m.media) continue;
      const { mimeType, fileName } = m.media;
      if (m.media.kind === 'url') {
        result.set(m, { state: 'pending', sourceUrl: m.media.url, mimeType, fileName });
        continue;
      }
      if (m.media.kind === 'blob') {
        const { sha256, sizeBytes } = m.media;
        result.set(m, { state: 'stored', sha256, sizeBytes, mimeType, fileName });
        continue;
      }
      const blob = await this.store.blobs.putBytes(m.media.bytes);
      result.set(m, { state: 'stored', sha256: blob.sha256, sizeBytes: blob.sizeBytes, mimeType, fileName });
    }
    return result;
  }
}

function toNewEvent(e: IngestEvent, identityOf: (p: PartyRef) => string): NewEvent {
  return {
    sourceEventId: e.sourceId,
    targetSourceMessageId: e.target,
    kind: e.kind,
    senderIdentityId: e.sender && !e.fromMe ? identityOf(e.sender) : undefined,
    fromMe: e.fromMe,
    occurredAt: e.occurredAt,
    payload: { text: e.text, emoji: e.emoji },
    raw: e.raw,
  };
}

async function advanceAccountLastMessage(
  trx: Kysely<Database>,
  accountId: string,
  at: number,
): Promise<void> {
  await trx
    .updateTable('accounts')
    .set({ last_message_at: at })
    .where('id', '=', accountId)
    .where((eb) => eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<', at)]))
    .execute();
}

/** SQLite and Postgres words for "a row this one points at is gone". */
function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
