import type { Kysely } from 'kysely';
import type { Account } from '../core/model.js';
import type { PartyRef } from '../core/party.js';
import type { Store } from '../store/index.js';
import type { ChatKey } from '../store/repositories/chats.js';
import type { NewEvent, NewMedia, NewMessage } from '../store/repositories/messages.js';
import type { Database } from '../store/schema.js';
import type { IngestChat, IngestEvent, IngestItem, IngestMessage, IngestResult } from './types.js';

/**
 * The one way messages enter the store, whichever source they came from. A batch is all or nothing:
 * identities, chats, messages and events commit in one transaction, and every write is idempotent on
 * the source's ids, so a batch delivered twice (or retried after a crash) stores each thing once.
 */
export class IngestPipeline {
  /** Called after a commit that stored media still to be downloaded. */
  onPendingMedia: (() => void) | undefined;

  constructor(private readonly store: Store) {}

  async ingest(account: Account, items: readonly IngestItem[]): Promise<IngestResult> {
    const messages = items.filter((i): i is IngestMessage => i.kind === 'message');
    const events = items.filter((i): i is IngestEvent => i.kind !== 'message');
    // Bytes go to the blob store before the transaction: content-addressed, so an abandoned batch
    // leaves at worst an unreferenced file, never a message pointing at missing bytes.
    const media = await this.storeMediaBytes(messages);
    const outcome = await this.store.sql.db
      .transaction()
      .execute((trx) => this.write(trx, account, messages, events, media));
    if (outcome.pendingMedia) this.onPendingMedia?.();
    return {
      received: items.length,
      stored: { messages: outcome.messages, events: outcome.events },
      duplicates: { messages: messages.length - outcome.messages, events: events.length - outcome.events },
    };
  }

  private async write(
    trx: Kysely<Database>,
    account: Account,
    messages: IngestMessage[],
    events: IngestEvent[],
    media: Map<IngestMessage, NewMedia>,
  ) {
    const parties = new PartyTable();
    for (const m of messages) {
      parties.add(...chatParties(m.chat));
      if (m.sender) parties.add(m.sender);
    }
    for (const e of events) if (e.sender) parties.add(e.sender);
    const identityIds = await this.store.identities.resolve(trx, account.workspaceId, parties.list());
    const identityOf = (party: PartyRef) => present(identityIds[parties.indexOf(party)]);

    const chatKeys = messages.map((m) => toChatKey(m.chat, identityOf));
    const chatIds = await this.store.chats.resolve(trx, account.id, chatKeys);
    await this.store.chats.addParticipants(trx, participantPairs(messages, chatIds, identityOf));

    const rows: NewMessage[] = messages.map((m, i) => ({
      chatId: present(chatIds[i]),
      sourceMessageId: m.sourceId,
      senderIdentityId: m.fromMe || !m.sender ? undefined : identityOf(m.sender),
      senderName: m.fromMe ? undefined : m.sender?.name,
      fromMe: m.fromMe,
      sentAt: m.sentAt,
      type: m.type,
      text: m.text,
      replyToSourceId: m.replyTo,
      details: m.details,
      raw: m.raw,
      media: media.get(m),
    }));
    const inserted = await this.store.messages.insertNew(trx, account.id, rows);
    const newEvents = await this.store.messages.insertNewEvents(
      trx,
      account.id,
      events.map((e) => toNewEvent(e, identityOf)),
    );
    await this.store.messages.applyPendingEvents(trx, account.id, [
      ...inserted.keys(),
      ...events.map((e) => e.target),
    ]);

    const latest = new Map<string, number>();
    for (const row of rows) {
      if (!inserted.has(row.sourceMessageId)) continue;
      latest.set(row.chatId, Math.max(latest.get(row.chatId) ?? 0, row.sentAt));
    }
    await this.store.chats.advanceLastMessage(trx, latest);
    if (latest.size > 0) await advanceAccountLastMessage(trx, account.id, Math.max(...latest.values()));
    return {
      messages: inserted.size,
      events: newEvents.length,
      pendingMedia: rows.some((r) => r.media?.state === 'pending' && inserted.has(r.sourceMessageId)),
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
      const blob = await this.store.blobs.putBytes(m.media.bytes);
      result.set(m, { state: 'stored', sha256: blob.sha256, sizeBytes: blob.sizeBytes, mimeType, fileName });
    }
    return result;
  }
}

/** A batch's distinct parties: the same person named on 500 messages is resolved once. */
class PartyTable {
  private readonly positions = new Map<string, number>();
  private readonly parties: PartyRef[] = [];
  private readonly byObject = new Map<PartyRef, number>();

  add(...parties: PartyRef[]): void {
    for (const party of parties) {
      const key = JSON.stringify([
        party.phone,
        party.lid,
        party.bsuid,
        party.parentBsuid,
        party.waId,
        party.username,
        party.name,
      ]);
      let position = this.positions.get(key);
      if (position === undefined) {
        position = this.parties.push(party) - 1;
        this.positions.set(key, position);
      }
      this.byObject.set(party, position);
    }
  }

  indexOf(party: PartyRef): number {
    const position = this.byObject.get(party);
    if (position === undefined) throw new Error('party was not added to the batch');
    return position;
  }

  list(): PartyRef[] {
    return this.parties;
  }
}

function chatParties(chat: IngestChat): PartyRef[] {
  return chat.kind === 'direct' ? [chat.partner] : chat.participants;
}

function toChatKey(chat: IngestChat, identityOf: (p: PartyRef) => string): ChatKey {
  if (chat.kind === 'group') return { kind: 'group', groupKey: chat.groupKey, title: chat.title };
  return { kind: 'direct', partnerIdentityId: identityOf(chat.partner) };
}

/**
 * Everyone who appears in a chat is recorded as its participant: group members, and the sender of
 * every message (in a direct chat too). Identity merges rely on this to find a person's messages.
 */
function participantPairs(
  messages: IngestMessage[],
  chatIds: string[],
  identityOf: (p: PartyRef) => string,
): { chatId: string; identityId: string }[] {
  const pairs: { chatId: string; identityId: string }[] = [];
  messages.forEach((m, i) => {
    const chatId = present(chatIds[i]);
    const members = m.chat.kind === 'group' ? [...m.chat.participants] : [m.chat.partner];
    if (m.sender && !m.fromMe) members.push(m.sender);
    for (const party of members) pairs.push({ chatId, identityId: identityOf(party) });
  });
  return pairs;
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

/** Resolvers answer one id per input, in order; a gap would be a bug, not bad input. */
function present(id: string | undefined): string {
  if (id === undefined) throw new Error('an id was not resolved');
  return id;
}
