import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, inject } from 'vitest';
import type { DatabaseConfig } from '../../src/config/index.js';

/** A database a suite runs against: a fresh SQLite file, or a fresh schema in the test Postgres. */
export interface TestDatabase {
  dialect: 'sqlite' | 'postgres';
  /** Why this dialect is skipped on this machine, if it is. */
  skipped: string | undefined;
  /** A new, empty database; `drop` removes it. */
  create(): Promise<{ config: DatabaseConfig; drop(): Promise<void> }>;
}

const sqlite: TestDatabase = {
  dialect: 'sqlite',
  skipped: undefined,
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-test-'));
    return {
      config: { dialect: 'sqlite', file: path.join(dir, 'wasync.db') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
};

function postgres(): TestDatabase {
  const provided = inject('postgres');
  const url = 'url' in provided ? provided.url : undefined;
  return {
    dialect: 'postgres',
    skipped: 'skipped' in provided ? provided.skipped : undefined,
    async create() {
      if (!url) throw new Error('Postgres is not available');
      // One schema per database handed out: suites run in parallel without seeing each other's rows.
      const schema = `wasync_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const scoped = new URL(url);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      return {
        config: { dialect: 'postgres', url: scoped.toString() },
        drop: async () => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`drop schema ${schema} cascade`);
          await client.end();
        },
      };
    },
  };
}

/** Both dialects; every store test loops over them (as Kysely's own tests do). */
export function testDatabases(): TestDatabase[] {
  return [sqlite, postgres()];
}

/**
 * `describe` once per dialect. A dialect that is not available here is skipped under a title that
 * says why, so the skip shows in the test report.
 */
export function describeEachDatabase(
  title: string,
  body: (database: TestDatabase) => void,
  dialects: readonly TestDatabase['dialect'][] = ['sqlite', 'postgres'],
): void {
  for (const database of testDatabases().filter((d) => dialects.includes(d.dialect))) {
    const name = `${title} [${database.dialect}]`;
    if (database.skipped) describe.skip(`${name} (skipped: ${database.skipped})`, () => body(database));
    else describe(name, () => body(database));
  }
}

/** Scale mode runs its processes on Postgres only (REDIS_URL is refused with SQLite). */
export function describePostgres(title: string, body: (database: TestDatabase) => void): void {
  describeEachDatabase(title, body, ['postgres']);
}

/**
 * `describe` once per dialect and media store it can hold (WASYNC_MEDIA_STORE): the data dir's folder
 * on both, the database store on Postgres only. The body passes the store to the harness's env.
 */
export function describeEachMediaStore(
  title: string,
  body: (database: TestDatabase, mediaStore: 'filesystem' | 'database') => void,
): void {
  for (const database of testDatabases()) {
    const stores =
      database.dialect === 'postgres' ? (['filesystem', 'database'] as const) : (['filesystem'] as const);
    for (const mediaStore of stores) {
      const name = `${title} [${database.dialect}, media in the ${mediaStore}]`;
      if (database.skipped)
        describe.skip(`${name} (skipped: ${database.skipped})`, () => body(database, mediaStore));
      else describe(name, () => body(database, mediaStore));
    }
  }
}
