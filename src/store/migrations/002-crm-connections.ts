import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/** CRM connections: where to reach a CRM and how to sign in, the secrets sealed (see SecretBox). */
export function crmConnections(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('crm_connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        // Base URLs, API version, client id, sign-in flow: nothing that opens the CRM on its own.
        .addColumn('settings', json, (c) => c.notNull())
        // Client secret, refresh token, private key: sealed with the workspace's secret key.
        .addColumn('credentials', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('parked_reason', 'text')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addUniqueConstraint('crm_connections_workspace_name_unique', ['workspace_id', 'name'])
        .execute();
    },
  };
}
