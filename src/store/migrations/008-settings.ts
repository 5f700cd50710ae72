import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * Settings an admin changes in the workspace (sync interval and backfill days; time zone and default
 * region were there), each empty meaning the server's configured default; and the exclusion list:
 * numbers, group chats and whole accounts whose chats are never backed up to a CRM.
 */
export function settings(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('workspaces').addColumn('sync_interval_ms', time).execute();
      await db.schema.alterTable('workspaces').addColumn('backfill_days', 'integer').execute();
      await db.schema
        .createTable('exclusions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addUniqueConstraint('exclusions_value', ['workspace_id', 'kind', 'value'])
        .execute();
    },
  };
}
