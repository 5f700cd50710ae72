import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * What lets any process act on a linked-device session held by another (scale mode): the request
 * made of the session's holder (pair, resume, unlink), with when it was done and why it failed; and
 * the pairing's latest update (QR code, pairing code, connected, failed) with a count that rises at
 * each one, so a page served by any process shows what the holder's socket produced.
 */
export function linkedDeviceRequests(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      for (const [column, type] of [
        ['request_id', 'text'],
        ['request_kind', 'text'],
        ['request_method', 'text'],
        ['request_at', time],
        ['request_done_at', time],
        ['request_error', 'text'],
        ['pairing_update', json],
      ] as const) {
        await db.schema.alterTable('whatsapp_web_sessions').addColumn(column, type).execute();
      }
      await db.schema
        .alterTable('whatsapp_web_sessions')
        .addColumn('pairing_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
