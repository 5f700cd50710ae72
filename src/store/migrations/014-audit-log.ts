import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * The audit log: who did what in the workspace (sign-ins, role changes, tokens and their use,
 * connections, exclusions, settings, erasures, exports), read by admins and kept for the
 * workspace's `audit_retention_days` (empty: the default of 365). The actor's label is a copy, so a
 * line still says who it was after the person is removed. `dedupe_key` names the one row a repeated
 * event adds to (a token's use of a route family within an hour), counted in `count`.
 */
export function auditLog(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('workspaces').addColumn('audit_retention_days', 'integer').execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('occurred_at', time, (c) => c.notNull())
        .addColumn('actor_via', 'text', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('actor_token_id', 'text')
        .addColumn('actor_label', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('target_label', 'text')
        .addColumn('details', json)
        .addColumn('client_address', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('dedupe_key', 'text', (c) => c.unique())
        .execute();
      // Newest first, and the filters of the list: by action, by person, by token.
      await db.schema
        .createIndex('audit_events_time')
        .on('audit_events')
        .columns(['workspace_id', 'occurred_at', 'id'])
        .execute();
      await db.schema
        .createIndex('audit_events_action')
        .on('audit_events')
        .columns(['workspace_id', 'action', 'occurred_at'])
        .execute();
      await db.schema
        .createIndex('audit_events_user')
        .on('audit_events')
        .columns(['actor_user_id', 'occurred_at'])
        .execute();
      await db.schema
        .createIndex('audit_events_token')
        .on('audit_events')
        .columns(['actor_token_id', 'occurred_at'])
        .execute();
    },
  };
}
