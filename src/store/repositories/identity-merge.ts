import type { Kysely } from 'kysely';
import type { ChatTable, Database } from '../schema.js';
import { recordLatestReaction } from './reactions.js';
import { mergeRecordLinks } from './record-links.js';

/**
 * Moves everything that points at `loserId` to `survivorId`. Direct chats are the subtle part: if
 * the account already talks to the survivor, the two chats become one (the older chat keeps its id,
 * so links and URLs made from it stay valid) and no message is lost or doubled.
 */
export async function mergeIdentityReferences(
  db: Kysely<Database>,
  survivorId: string,
  loserId: string,
): Promise<void> {
  await moveSentMessages(db, survivorId, loserId);
  await db
    .updateTable('message_events')
    .set({ sender_identity_id: survivorId })
    .where('sender_identity_id', '=', loserId)
    .execute();
  await mergeReactions(db, survivorId, loserId);
  await mergeRecordLinks(db, survivorId, loserId);
  await moveParticipants(db, { from: { identityId: loserId }, to: { identityId: survivorId } });
  await mergeDirectChats(db, survivorId, loserId);
}

/**
 * Messages are not indexed by sender; every sender is a participant of the chat they wrote in (or its
 * direct partner), so the loser's messages are found through the loser's chats.
 */
async function moveSentMessages(db: Kysely<Database>, survivorId: string, loserId: string): Promise<void> {
  const participations = await db
    .selectFrom('chat_participants')
    .select('chat_id')
    .where('identity_id', '=', loserId)
    .execute();
  const partnered = await db
    .selectFrom('chats')
    .select('id as chat_id')
    .where('partner_identity_id', '=', loserId)
    .execute();
  const chatIds = [...new Set([...participations, ...partnered].map((row) => row.chat_id))];
  for (let i = 0; i < chatIds.length; i += 400) {
    await db
      .updateTable('messages')
      .set({ sender_identity_id: survivorId })
      .where('chat_id', 'in', chatIds.slice(i, i + 400))
      .where('sender_identity_id', '=', loserId)
      .execute();
  }
}

/** Reactions move to the survivor; where both identities reacted to one message, the later wins. */
async function mergeReactions(db: Kysely<Database>, survivorId: string, loserId: string): Promise<void> {
  const loserReactions = await db
    .selectFrom('message_reactions')
    .selectAll()
    .where('reactor_key', '=', loserId)
    .execute();
  await db.deleteFrom('message_reactions').where('reactor_key', '=', loserId).execute();
  for (const reaction of loserReactions) {
    await recordLatestReaction(db, {
      messageId: reaction.message_id,
      reactorKey: survivorId,
      identityId: survivorId,
      emoji: reaction.emoji,
      at: reaction.reacted_at,
    });
  }
}

type ParticipantSelector = { identityId: string } | { chatId: string };

/** Moves participant rows between identities or between chats, skipping rows that already exist. */
async function moveParticipants(
  db: Kysely<Database>,
  move: { from: ParticipantSelector; to: ParticipantSelector },
): Promise<void> {
  const column = 'identityId' in move.from ? 'identity_id' : 'chat_id';
  const fromValue = 'identityId' in move.from ? move.from.identityId : move.from.chatId;
  const rows = await db.selectFrom('chat_participants').selectAll().where(column, '=', fromValue).execute();
  if (rows.length > 0) {
    await db
      .insertInto('chat_participants')
      .values(
        rows.map((row) => ({
          chat_id: 'chatId' in move.to ? move.to.chatId : row.chat_id,
          identity_id: 'identityId' in move.to ? move.to.identityId : row.identity_id,
          added_at: row.added_at,
        })),
      )
      .onConflict((oc) => oc.columns(['chat_id', 'identity_id']).doNothing())
      .execute();
  }
  await db.deleteFrom('chat_participants').where(column, '=', fromValue).execute();
}

async function mergeDirectChats(db: Kysely<Database>, survivorId: string, loserId: string): Promise<void> {
  const loserChats = await db
    .selectFrom('chats')
    .selectAll()
    .where('partner_identity_id', '=', loserId)
    .execute();
  for (const loserChat of loserChats) {
    const survivorChat = await db
      .selectFrom('chats')
      .selectAll()
      .where('account_id', '=', loserChat.account_id)
      .where('partner_identity_id', '=', survivorId)
      .executeTakeFirst();
    if (!survivorChat) {
      await db
        .updateTable('chats')
        .set({ partner_identity_id: survivorId })
        .where('id', '=', loserChat.id)
        .execute();
      continue;
    }
    const [keep, drop] = olderFirst(survivorChat, loserChat);
    await mergeChats(db, keep, drop);
    await db
      .updateTable('chats')
      .set({ partner_identity_id: survivorId })
      .where('id', '=', keep.id)
      .execute();
  }
}

function olderFirst(a: ChatTable, b: ChatTable): [ChatTable, ChatTable] {
  return a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id) ? [a, b] : [b, a];
}

/** Moves every message and participant of `drop` into `keep`, then deletes `drop`. */
export async function mergeChats(db: Kysely<Database>, keep: ChatTable, drop: ChatTable): Promise<void> {
  // The moved messages now belong in the survivor's transcripts: stamp them for the sync engine.
  const now = Date.now();
  await db
    .updateTable('messages')
    .set({ chat_id: keep.id, changed_at: now })
    .where('chat_id', '=', drop.id)
    .execute();
  await moveParticipants(db, { from: { chatId: drop.id }, to: { chatId: keep.id } });
  await moveSyncLedger(db, keep.id, drop.id);
  await db.deleteFrom('chats').where('id', '=', drop.id).execute();
  const last = Math.max(keep.last_message_at ?? 0, drop.last_message_at ?? 0);
  await db
    .updateTable('chats')
    .set((eb) => ({
      title: keep.title ?? drop.title,
      last_message_at: last === 0 ? null : last,
      changed_at: now,
      change_seq: eb('change_seq', '+', 1),
    }))
    .where('id', '=', keep.id)
    .execute();
}

/**
 * What the merged-away chat wrote to CRMs becomes the survivor's: its day transcripts are then
 * updated in place under their keys instead of written again beside them. Where both chats wrote the
 * same record and day, the survivor's stays (the other CRM record keeps what it had). Where each chat
 * stands with the sync is dropped with it; the survivor is stamped changed, so it is looked at anew.
 */
async function moveSyncLedger(db: Kysely<Database>, keepId: string, dropId: string): Promise<void> {
  await db
    .updateTable('sync_writes as w')
    .set({ chat_id: keepId })
    .where('w.chat_id', '=', dropId)
    .where((eb) =>
      eb.or([
        eb('w.kind', '!=', 'transcript'),
        eb.not(
          eb.exists(
            eb
              .selectFrom('sync_writes as k')
              .select('k.id')
              .where('k.chat_id', '=', keepId)
              .where('k.kind', '=', 'transcript')
              .whereRef('k.connection_id', '=', 'w.connection_id')
              .whereRef('k.record_id', '=', 'w.record_id')
              .whereRef('k.day', '=', 'w.day'),
          ),
        ),
      ]),
    )
    .execute();
  await db.deleteFrom('sync_targets').where('chat_id', '=', dropId).execute();
  await db.deleteFrom('sync_chats').where('chat_id', '=', dropId).execute();
}
