import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * WhatsApp Cloud API accounts: how to reach the Graph API for a number (secrets sealed), webhook
 * health, and every webhook body as received, kept until it has been processed.
 */
export function whatsappCloud(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('whatsapp_cloud_accounts')
        .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
        .addColumn('phone_number_id', 'text', (c) => c.notNull())
        .addColumn('waba_id', 'text')
        .addColumn('graph_base_url', 'text', (c) => c.notNull())
        .addColumn('api_version', 'text', (c) => c.notNull())
        // Shown to the user to paste into Meta's console; not a secret that opens anything.
        .addColumn('verify_token', 'text', (c) => c.notNull())
        // Access token and app secret, sealed with the workspace secret key and bound to the account id.
        .addColumn('credentials', 'text', (c) => c.notNull())
        // Coexistence history sync: per phase, the chunks seen and the highest progress.
        .addColumn('history_progress', json)
        .addColumn('last_delivery_at', time)
        .addColumn('signature_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_signature_failure_at', time)
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('whatsapp_cloud_accounts_phone_number_id')
        .on('whatsapp_cloud_accounts')
        .column('phone_number_id')
        .execute();

      // The durable queue: the raw body is stored before Meta gets its 200, processed afterwards.
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('received_at', time, (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('next_attempt_at', time)
        .addColumn('processed_at', time)
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['state', 'next_attempt_at'])
        .execute();
    },
  };
}
