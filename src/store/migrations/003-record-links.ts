import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * Which CRM record a WhatsApp identity is linked to, per connection. The CRMs' own phone search is
 * exact-string or lagging, so this table is consulted first: a number is looked up in the CRM once,
 * and a link made by hand overrides the lookup.
 */
export function recordLinks(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('record_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('connection_id', 'text', (c) =>
          c.notNull().references('crm_connections.id').onDelete('cascade'),
        )
        .addColumn('identity_id', 'text', (c) => c.notNull().references('identities.id'))
        .addColumn('record_type', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('record_name', 'text')
        // lookup (found by phone), created (made from the chat), manual (linked by a person).
        .addColumn('linked_by', 'text', (c) => c.notNull())
        .addColumn('linked_at', time, (c) => c.notNull())
        // Messages from this time on are backed up to the record: the backfill window of a new link.
        .addColumn('backfill_from', time, (c) => c.notNull())
        .addColumn('last_synced_at', time)
        .addUniqueConstraint('record_links_connection_identity_unique', ['connection_id', 'identity_id'])
        .execute();
      await db.schema
        .createIndex('record_links_record')
        .on('record_links')
        .columns(['connection_id', 'record_id'])
        .execute();
      await db.schema.createIndex('record_links_identity').on('record_links').column('identity_id').execute();
    },
  };
}
