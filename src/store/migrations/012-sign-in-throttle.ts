import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * Sign-in attempts counted per key (an account, a client address) in a fixed window, in the store
 * so that every wasync process on one database counts together.
 */
export function signInThrottle(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('auth_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('window_start', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('auth_throttle_window')
        .on('auth_throttle')
        .column('window_start')
        .execute();
    },
  };
}
