import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * Where a message sent from the account stands with WhatsApp: sent, delivered, read, played or failed,
 * as the Cloud API's statuses report it. It only moves forward.
 */
export function deliveryStatus(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('messages').addColumn('delivery_status', 'text').execute();
      await db.schema.alterTable('messages').addColumn('delivery_status_at', time).execute();
    },
  };
}
