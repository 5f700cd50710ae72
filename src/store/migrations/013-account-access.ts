import { type ColumnDataType, type Kysely, sql } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * Each WhatsApp number (account) has an owner, a visibility and the people it is shared with:
 * `team` numbers (a company's Cloud API or REST number) are read by everyone on the team, `private`
 * ones (a rep's own phone, linked as a device or imported from its exports) only by their owner, the
 * people named in `account_shares`, and admins unless the workspace narrows them
 * (`workspaces.admins_see_all`). Numbers that exist already get the default of their kind; a linked
 * device is owned by the person who accepted the risk of linking it, where that is a person, and
 * every other number by the workspace's first admin still on the team.
 */
export function accountAccess(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('accounts')
        .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
        .execute();
      await db.schema
        .alterTable('accounts')
        .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('team'))
        .execute();
      await db.schema
        .alterTable('workspaces')
        .addColumn('admins_see_all', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema
        .createTable('account_shares')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('shared_by', 'text')
        .addColumn('shared_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('account_shares_pk', ['account_id', 'user_id'])
        .execute();
      await db.schema.createIndex('account_shares_user').on('account_shares').column('user_id').execute();
      await backfillAccountAccess(db);
    },
  };
}

/** Numbers made before owners existed: the default visibility of their kind, and an owner. */
export async function backfillAccountAccess(db: Kysely<unknown>): Promise<void> {
  await sql`
    update accounts set visibility = 'private'
    where source_kind in ('linked_device', 'chat_export')`.execute(db);
  await sql`
    update accounts set owner_user_id = (
      select u.id from users u
      join whatsapp_web_sessions s on s.account_id = accounts.id and lower(s.opted_in_by) = u.email
      where u.workspace_id = accounts.workspace_id and u.removed_at is null
      limit 1
    )
    where source_kind = 'linked_device'`.execute(db);
  await sql`
    update accounts set owner_user_id = (
      select u.id from users u
      where u.workspace_id = accounts.workspace_id and u.role = 'admin' and u.removed_at is null
      order by u.created_at, u.id
      limit 1
    )
    where owner_user_id is null`.execute(db);
}
