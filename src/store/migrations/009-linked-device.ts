import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * A linked-device session's auth state, one row per item the WhatsApp library persists: its creds
 * and every signal key (pre-keys, sessions, sender keys, app-state keys, lid mappings, device lists,
 * ...), each sealed on its own, so a restart or another worker resumes without pairing again.
 */
export function linkedDevice(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('whatsapp_web_auth')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('whatsapp_web_auth_pk', ['account_id', 'kind', 'key_id'])
        .execute();
    },
  };
}
