import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * Alerts to a workspace's admins when a number stops capturing or a CRM connection stops syncing:
 * - `alert_settings`: where they go, one row per workspace: a webhook URL and its signing secret
 *   (sealed with the secret key, context `alert-webhook:<workspace>`), and an SMTP server to e-mail
 *   the admins through (its password sealed, context `alert-smtp:<workspace>`).
 * - `alert_troubles`: the troubles an alert was raised for and not yet cleared, one row per subject
 *   and sign, so each trouble is announced once when it starts and once when it clears.
 * - `alerts_sent`: the record of every alert sent (or tried), newest read first; one the receiver
 *   did not take carries when it is tried again (`retry_at`) and how many tries it has had.
 */
export function alerts(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('alert_settings')
        .addColumn('workspace_id', 'text', (c) =>
          c.primaryKey().references('workspaces.id').onDelete('cascade'),
        )
        .addColumn('webhook_url', 'text')
        .addColumn('webhook_secret', 'text')
        .addColumn('smtp_host', 'text')
        .addColumn('smtp_port', 'integer')
        .addColumn('smtp_secure', 'integer')
        .addColumn('smtp_user', 'text')
        .addColumn('smtp_password', 'text')
        .addColumn('smtp_from', 'text')
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('alert_troubles')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('subject_label', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('since', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_troubles_pk', ['workspace_id', 'subject_type', 'subject_id', 'code'])
        .execute();
      await db.schema
        .createTable('alerts_sent')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('subject_type', 'text', (c) => c.notNull())
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('subject_label', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('delivered', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('since', time)
        .addColumn('sent_at', time, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('retry_at', time)
        .execute();
      await db.schema
        .createIndex('alerts_sent_retry')
        .on('alerts_sent')
        .columns(['workspace_id', 'retry_at'])
        .execute();
      await db.schema
        .createIndex('alerts_sent_by_time')
        .on('alerts_sent')
        .columns(['workspace_id', 'sent_at'])
        .execute();
    },
  };
}
