import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * A Cloud API number shared with the WhatsApp Business app (coexistence):
 * - `whatsapp_cloud_accounts.coexistence_onboarded_at`: when it was onboarded; null for a number of the
 *   Cloud API alone. Meta takes the history and contacts sync request only within 24 hours of it.
 * - `cloud_sync_requests`: per account and sync type (`history`, `smb_app_state_sync`), the request id Meta
 *   answered and when, and the last attempt's error; an attempt that fails keeps an earlier request id.
 */
export function cloudCoexistence(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('whatsapp_cloud_accounts')
        .addColumn('coexistence_onboarded_at', time)
        .execute();
      await db.schema
        .createTable('cloud_sync_requests')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('sync_type', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('requested_at', time)
        .addColumn('last_attempt_at', time, (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('error_code', 'text')
        .addPrimaryKeyConstraint('cloud_sync_requests_pk', ['account_id', 'sync_type'])
        .execute();
    },
  };
}
