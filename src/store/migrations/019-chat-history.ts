import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * What a person asked of a chat's history and of its matching:
 * - `chats.history_from`: messages sent from this time on go to the CRM whatever the backfill window
 *   says (an import, "Send older history", a chat backed up in full); null: the window alone decides.
 * - `record_unlinks`: a person unlinked someone from their record by hand on a connection; the sync
 *   does not match them by phone again until a person asks it to.
 */
export function chatHistory(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('chats').addColumn('history_from', time).execute();
      await db.schema
        .createTable('record_unlinks')
        .addColumn('connection_id', 'text', (c) =>
          c.notNull().references('crm_connections.id').onDelete('cascade'),
        )
        .addColumn('identity_id', 'text', (c) => c.notNull().references('identities.id').onDelete('cascade'))
        .addColumn('record_type', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('record_name', 'text')
        .addColumn('unlinked_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('record_unlinks_pk', ['connection_id', 'identity_id'])
        .execute();
    },
  };
}
