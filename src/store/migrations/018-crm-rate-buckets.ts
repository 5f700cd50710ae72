import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * A CRM's request buckets (a leaky bucket per Bitrix24 portal), kept in the store so that every
 * wasync process calling one portal counts against the same level. The level is fractional: it
 * drains continuously from `updated_at`.
 */
export function crmRateBuckets(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const level: ColumnDataType = dialect === 'postgres' ? 'double precision' : 'real';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('crm_rate_buckets')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('level', level, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
    },
  };
}
