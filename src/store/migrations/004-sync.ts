import { type ColumnDataType, type Kysely, sql } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * What the sync engine needs: a change stamp on messages and chats (so a run reads only what changed),
 * the ledger of CRM writes, where each chat and each (chat, record) stands, and the work queue.
 */
export function syncState(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      // When the message last changed in a way a transcript shows: stored, edited, deleted, reacted
      // to, its media fetched, moved by a chat merge. Not indexed: the engine reads it per chat.
      await db.schema
        .alterTable('messages')
        .addColumn('changed_at', time, (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update messages set changed_at = received_at`.execute(db);
      await db.schema
        .alterTable('chats')
        .addColumn('changed_at', time, (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update chats set changed_at = coalesce(last_message_at, created_at)`.execute(db);
      // Counts the changes: unlike a time, it cannot repeat or go back when writers commit out of order.
      await db.schema
        .alterTable('chats')
        .addColumn('change_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      // The ledger: one row per CRM write key (a chat-day on a record, or a file on a record). The
      // intent is recorded before the call and the outcome after it, so a crash leaves an `intent`
      // row that the next run resolves through the CRM's external key instead of writing blind.
      await db.schema
        .createTable('sync_writes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('connection_id', 'text', (c) =>
          c.notNull().references('crm_connections.id').onDelete('cascade'),
        )
        .addColumn('write_key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('chat_id', 'text', (c) => c.notNull())
        .addColumn('record_type', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text')
        .addColumn('message_id', 'text')
        // intent (sent or about to be), done, failed (will retry), rejected (the CRM refused this input).
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('ref', json)
        .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', time)
        .addColumn('written_at', time)
        .addColumn('updated_at', time, (c) => c.notNull())
        .addUniqueConstraint('sync_writes_connection_key_unique', ['connection_id', 'write_key'])
        .execute();
      await db.schema
        .createIndex('sync_writes_connection_chat')
        .on('sync_writes')
        .columns(['connection_id', 'chat_id'])
        .execute();

      // Per connection and chat: matched or not (and why), and the change stamp synced through.
      await db.schema
        .createTable('sync_chats')
        .addColumn('connection_id', 'text', (c) =>
          c.notNull().references('crm_connections.id').onDelete('cascade'),
        )
        .addColumn('chat_id', 'text', (c) => c.notNull())
        // synced, unmatched, failed, pending (to be looked at again, e.g. after a link by hand).
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('synced_through', time)
        // The chat's change_seq when it was last settled: a different value means it changed since.
        .addColumn('seen_seq', 'integer')
        .addColumn('checked_at', time, (c) => c.notNull())
        .addColumn('retry_at', time)
        .addColumn('last_synced_at', time)
        .addColumn('updated_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_chats_pk', ['connection_id', 'chat_id'])
        .execute();

      // Per connection, chat and record: the backfill window applied and the change stamp synced through.
      await db.schema
        .createTable('sync_targets')
        .addColumn('connection_id', 'text', (c) =>
          c.notNull().references('crm_connections.id').onDelete('cascade'),
        )
        .addColumn('chat_id', 'text', (c) => c.notNull())
        .addColumn('record_type', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('backfill_from', time, (c) => c.notNull())
        .addColumn('synced_through', time, (c) => c.notNull())
        .addColumn('last_synced_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_targets_pk', ['connection_id', 'chat_id', 'record_id'])
        .execute();

      // The work queue's state: one job per connection, leased by the process running it.
      await db.schema
        .createTable('sync_jobs')
        .addColumn('connection_id', 'text', (c) =>
          c.primaryKey().references('crm_connections.id').onDelete('cascade'),
        )
        .addColumn('run_at', time)
        .addColumn('reason', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', time)
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('last_started_at', time)
        .addColumn('last_finished_at', time)
        .addColumn('last_success_at', time)
        .addColumn('last_summary', json)
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
    },
  };
}
