import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from './index.js';

/**
 * Every API token belongs to a user, whose current role bounds what the token may do. Tokens made
 * before this rule without an owner (the first-start token, `wasync token create`, and tokens made
 * with another token) are given to the workspace's first admin still on the team: the person who
 * runs the workspace. Which token made which cannot be told afterwards, so this is the owner who
 * answers for them; from now on a token made with a token belongs to that token's owner.
 */
export function tokenOwners(): MigrationSet[string] {
  return {
    async up(db: Kysely<unknown>) {
      await sql`
        update api_tokens set user_id = (
          select u.id from users u
          where u.workspace_id = api_tokens.workspace_id and u.role = 'admin' and u.removed_at is null
          order by u.created_at, u.id
          limit 1
        )
        where user_id is null`.execute(db);
      await db.schema
        .createIndex('api_tokens_user')
        .ifNotExists()
        .on('api_tokens')
        .column('user_id')
        .execute();
    },
  };
}
