import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import { inLockOrder } from '../lock-order.js';
import { type Database, readJson } from '../schema.js';
import { OWNER_REACTOR, recordLatestReaction } from './reactions.js';

/** An edit, deletion or reaction aimed at a message that may not have arrived yet. */
export interface NewEvent {
  sourceEventId: string;
  targetSourceMessageId: string;
  kind: 'edit' | 'delete' | 'reaction';
  senderIdentityId: string | undefined;
  fromMe: boolean;
  occurredAt: number;
  payload: { text?: string | undefined; emoji?: string | undefined };
  raw: unknown;
}

const CHUNK = 500;

/**
 * Edits, deletions and reactions. They are stored as they arrive (idempotent on the source's event id)
 * and applied to their message when it is there, so their order of arrival does not matter.
 */
export class EventRepository {
  /** Stores events not seen before (idempotent on account + source event id); returns how many were new. */
  async insertNew(db: Kysely<Database>, accountId: string, events: readonly NewEvent[]): Promise<string[]> {
    const now = Date.now();
    const rows = inLockOrder(events, (e) => e.sourceEventId).map((e) => ({
      id: newId('evt'),
      account_id: accountId,
      source_event_id: e.sourceEventId,
      target_source_message_id: e.targetSourceMessageId,
      kind: e.kind,
      sender_identity_id: e.senderIdentityId ?? null,
      from_me: e.fromMe ? 1 : 0,
      occurred_at: e.occurredAt,
      payload: JSON.stringify({ ...e.payload, raw: e.raw }),
      applied_at: null,
      received_at: now,
    }));
    const inserted: string[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const returned = await db
        .insertInto('message_events')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['account_id', 'source_event_id']).doNothing())
        .returning('source_event_id')
        .execute();
      inserted.push(...returned.map((r) => r.source_event_id));
    }
    return inserted;
  }

  /**
   * Applies the not-yet-applied events aimed at these messages, oldest first. Events wait for their
   * message, so an edit delivered before the message it edits is applied when that message arrives.
   * Answers the chats whose messages changed.
   */
  async applyPending(
    db: Kysely<Database>,
    accountId: string,
    targetSourceIds: readonly string[],
  ): Promise<Set<string>> {
    const changedChats = new Set<string>();
    const targets = [...new Set(targetSourceIds)];
    for (let i = 0; i < targets.length; i += CHUNK) {
      const events = await db
        .selectFrom('message_events')
        .innerJoin('messages', (join) =>
          join
            .onRef('messages.account_id', '=', 'message_events.account_id')
            .onRef('messages.source_message_id', '=', 'message_events.target_source_message_id'),
        )
        .select([
          'message_events.id as event_id',
          'message_events.kind',
          'message_events.sender_identity_id',
          'message_events.from_me',
          'message_events.occurred_at',
          'message_events.payload',
          'messages.id as message_id',
          'messages.chat_id',
        ])
        .where('message_events.account_id', '=', accountId)
        .where('message_events.target_source_message_id', 'in', targets.slice(i, i + CHUNK))
        .where('message_events.applied_at', 'is', null)
        .orderBy('message_events.occurred_at')
        .execute();
      for (const event of events) {
        await applyEvent(db, event);
        const now = Date.now();
        await db
          .updateTable('message_events')
          .set({ applied_at: now })
          .where('id', '=', event.event_id)
          .execute();
        await db
          .updateTable('messages')
          .set({ changed_at: now })
          .where('id', '=', event.message_id)
          .execute();
        changedChats.add(event.chat_id);
      }
    }
    return changedChats;
  }
}

type PendingEvent = {
  kind: string;
  sender_identity_id: string | null;
  from_me: number;
  occurred_at: number;
  payload: unknown;
  message_id: string;
};

async function applyEvent(db: Kysely<Database>, event: PendingEvent): Promise<void> {
  const payload = readJson<{ text?: string; emoji?: string }>(event.payload);
  if (event.kind === 'edit') {
    await db
      .updateTable('messages')
      .set({ text: payload.text ?? null, edited_at: event.occurred_at })
      .where('id', '=', event.message_id)
      .where((eb) => eb.or([eb('edited_at', 'is', null), eb('edited_at', '<', event.occurred_at)]))
      .execute();
  } else if (event.kind === 'delete') {
    await db
      .updateTable('messages')
      .set({ deleted_at: event.occurred_at })
      .where('id', '=', event.message_id)
      .where('deleted_at', 'is', null)
      .execute();
  } else if (event.kind === 'reaction') {
    await applyReaction(db, event, payload.emoji ?? '');
  }
}

async function applyReaction(db: Kysely<Database>, event: PendingEvent, emoji: string): Promise<void> {
  const owner = event.from_me === 1 || event.sender_identity_id === null;
  await recordLatestReaction(db, {
    messageId: event.message_id,
    reactorKey: owner ? OWNER_REACTOR : (event.sender_identity_id ?? OWNER_REACTOR),
    identityId: owner ? null : event.sender_identity_id,
    emoji,
    at: event.occurred_at,
  });
}
