import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * A linked-device session's life, one row per account: who opted the account in and when, the state
 * shown to people (pairing, connected, disconnected with its reason, logged out), the last event and
 * the open gap to fill after a reconnect, history sync progress, and the lease that keeps one socket
 * per account across processes (two sockets on one session would keep replacing each other).
 */
export function linkedDeviceSessions(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('whatsapp_web_sessions')
        .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
        .addColumn('opted_in_by', 'text')
        .addColumn('opted_in_at', time)
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('status_code', 'integer')
        .addColumn('state_at', time, (c) => c.notNull())
        // The paired device's own JID (and @lid), set once pairing succeeds.
        .addColumn('me', 'text')
        .addColumn('connected_at', time)
        .addColumn('last_event_at', time)
        // When the socket last dropped; cleared once the gap after it has been filled.
        .addColumn('gap_since', time)
        .addColumn('history', json)
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', time)
        .execute();
    },
  };
}
