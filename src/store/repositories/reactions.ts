import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Reactions by the account owner are keyed by this instead of an identity id. */
export const OWNER_REACTOR = 'me';

/**
 * One reaction per person per message, and the latest one wins: a reaction older than the stored one
 * changes nothing; an empty emoji removes the person's reaction.
 */
export async function recordLatestReaction(
  db: Kysely<Database>,
  reaction: { messageId: string; reactorKey: string; identityId: string | null; emoji: string; at: number },
): Promise<void> {
  const existing = await db
    .selectFrom('message_reactions')
    .select('reacted_at')
    .where('message_id', '=', reaction.messageId)
    .where('reactor_key', '=', reaction.reactorKey)
    .executeTakeFirst();
  if (existing && existing.reacted_at > reaction.at) return;
  if (existing) {
    await db
      .deleteFrom('message_reactions')
      .where('message_id', '=', reaction.messageId)
      .where('reactor_key', '=', reaction.reactorKey)
      .execute();
  }
  if (reaction.emoji === '') return;
  await db
    .insertInto('message_reactions')
    .values({
      message_id: reaction.messageId,
      reactor_key: reaction.reactorKey,
      reactor_identity_id: reaction.identityId,
      emoji: reaction.emoji,
      reacted_at: reaction.at,
    })
    .execute();
}
