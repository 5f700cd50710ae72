import { type ColumnDataType, type Kysely, sql } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * The shared CRM kit's state: a failed write whose outcome is unknown (the CRM may hold it) says so
 * in a column instead of in its error text, and each connection's token session (sealed) with the
 * lease that lets one process at a time refresh it.
 */
export function crmKit(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('sync_writes')
        .addColumn('outcome_unknown', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // Rows written before the column said so by the code in front of their error.
      await sql`update sync_writes set outcome_unknown = 1
        where state = 'failed' and (last_error like 'TIMEOUT:%' or last_error like 'NETWORK:%')`.execute(db);

      await db.schema
        .createTable('crm_token_leases')
        .addColumn('connection_id', 'text', (c) =>
          c.primaryKey().references('crm_connections.id').onDelete('cascade'),
        )
        .addColumn('holder', 'text')
        .addColumn('lease_until', time, (c) => c.notNull().defaultTo(0))
        .addColumn('sealed_session', 'text')
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
    },
  };
}
