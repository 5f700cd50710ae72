import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { testDatabases } from './support/databases.js';

const postgres = testDatabases().find((d) => d.dialect === 'postgres');
const provided = inject('postgres');
const url = 'url' in provided ? provided.url : undefined;

/**
 * wasync on a Postgres database it shares: its tables live in the first schema of its search_path,
 * and what other schemas hold (another application's Kysely migrations) is none of its business.
 */
describe.skipIf(!postgres || postgres.skipped !== undefined)(
  `Postgres shared with other schemas${postgres?.skipped ? ` (skipped: ${postgres.skipped})` : ''}`,
  () => {
    it('looks only at its own schema: another schema, even one dropped meanwhile, is none of its business', async () => {
      if (!postgres || !url) throw new Error('no Postgres');
      const other = `other_app_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const created = await postgres.create();
      try {
        await admin.query(`create schema ${other}`);
        await admin.query(`create table ${other}.wasync_migrations (name varchar(255) primary key)`);
        await admin.query(`create table ${other}.invoices (id integer primary key)`);
        const store = await openStore({ database: created.config, dataDir: '' });
        try {
          // Kysely's own introspector lists every schema's tables (and fails when one of them is
          // dropped while it reads); the migrator asks it at every start.
          const tables = await store.sql.db.introspection.getTables({ withInternalKyselyTables: true });
          expect(new Set(tables.map((t) => t.schema)).size).toBe(1);
          expect(tables.map((t) => t.name)).not.toContain('invoices');
          expect(tables.map((t) => t.name)).toEqual(
            expect.arrayContaining(['accounts', 'wasync_migrations']),
          );
          expect(tables.find((t) => t.name === 'accounts')?.columns.map((c) => c.name)).toContain(
            'owner_user_id',
          );
          // The other schema's bookkeeping table did not make wasync skip its own migrations.
          const { rows } = await admin.query<{ n: number }>(
            `select count(*)::int as n from ${other}.wasync_migrations`,
          );
          expect(rows[0]?.n).toBe(0);
          expect((await store.sql.db.introspection.getSchemas()).map((s) => s.name)).toHaveLength(1);
        } finally {
          await store.close();
        }
      } finally {
        await admin.query(`drop schema if exists ${other} cascade`);
        await admin.end();
        await created.drop();
      }
    });
  },
);
