import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * `whatsapp_web_sessions.paused_until`: a linked device WhatsApp banned for a while does not connect
 * before this time (the ban's end, or a default pause when WhatsApp gave none), in this process or
 * in one that takes the session over.
 */
export function linkedDevicePause(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('whatsapp_web_sessions').addColumn('paused_until', time).execute();
    },
  };
}
