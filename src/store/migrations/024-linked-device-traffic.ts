import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * What a linked-device session asked of WhatsApp, so its limits hold across restarts:
 * - `whatsapp_web_requests`: one row per request that counts against a cap (a history request to
 *   fill a gap, a media re-upload asked of the phone), by kind and time; rows past the longest
 *   window are pruned as new ones are written.
 * - `whatsapp_web_sessions.groups_fetched_at`: when the list of the account's groups was fetched
 *   (once after pairing; later only a group the library reports as changed is looked up).
 * - `identities.display_name_saved`: the name is the one the account's owner saved in their phone's
 *   address book, which a push name arriving later does not replace.
 */
export function linkedDeviceTraffic(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('whatsapp_web_sessions').addColumn('groups_fetched_at', time).execute();
      await db.schema
        .alterTable('identities')
        .addColumn('display_name_saved', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('whatsapp_web_requests')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('whatsapp_web_requests_by_kind')
        .on('whatsapp_web_requests')
        .columns(['account_id', 'kind', 'at'])
        .execute();
    },
  };
}
