import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * `imports`: chat-export uploads imported in the background (scale mode), one row per upload. The
 * upload waits in the blob store (`blob_sha256`) from the API's answer until a worker has imported
 * it: `queued`, then `running` under a claim (`claimed_by` until `claim_until`, extended while the
 * import goes on, so the import of a worker that died is taken again once the claim runs out), then
 * `done` with the summary or `failed` with the error's code and message. The options are those the
 * upload was posted with, the time zone already resolved.
 */
export function imports(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('chat_with', 'text')
        .addColumn('me', 'text')
        .addColumn('chat_name', 'text')
        .addColumn('file_name', 'text')
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('date_order', 'text')
        .addColumn('to_crm', 'integer', (c) => c.notNull())
        .addColumn('blob_sha256', 'text', (c) => c.notNull())
        .addColumn('blob_size', time, (c) => c.notNull())
        .addColumn('progress_phase', 'text')
        .addColumn('progress_done', time)
        .addColumn('progress_total', time)
        .addColumn('summary', json)
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('requested_by', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('started_at', time)
        .addColumn('finished_at', time)
        .addColumn('claimed_by', 'text')
        .addColumn('claim_until', time)
        .execute();
      await db.schema
        .createIndex('imports_account_created')
        .on('imports')
        .columns(['account_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('imports_state_created')
        .on('imports')
        .columns(['state', 'created_at'])
        .execute();
      await db.schema.createIndex('imports_blob').on('imports').column('blob_sha256').execute();
    },
  };
}
