import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/index.js';
import { type DialectName, migrateToLatest } from './migrations/index.js';
import { SchemaScopedPostgresDialect } from './postgres-dialect.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';

/** An open database: the Kysely handle, which dialect it speaks, and how to close it. */
export interface SqlStore {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const INT8_OID = 20;

/**
 * How wasync runs SQLite. WAL lets readers (the API) run beside the writer (ingest, sync); NORMAL
 * durability is safe in WAL mode (a power cut can lose the last commits, never corrupt the file).
 * A 64 MB page cache and memory-mapped reads keep the message indexes hot: with SQLite's 2 MB
 * default, inserts slow down several-fold once the tables outgrow the cache. Checkpointing every
 * 10,000 pages (40 MB of WAL) instead of 1,000 writes a busy index page back once, not ten times.
 */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'foreign_keys = ON',
  'busy_timeout = 5000',
  'cache_size = -65536',
  'mmap_size = 268435456',
  'temp_store = MEMORY',
  'wal_autocheckpoint = 10000',
] as const;

/** Opens the database and, unless told not to, brings its schema up to date. */
export async function openDatabase(
  config: DatabaseConfig,
  options: { migrate?: boolean } = {},
): Promise<SqlStore> {
  const store = config.dialect === 'sqlite' ? openSqlite(config.file) : openPostgres(config.url);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(store.db, store.dialect);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

function openSqlite(file: string): SqlStore {
  if (file !== ':memory:') createOwnerOnly(file);
  const connection = new SqliteDatabase(file);
  for (const pragma of SQLITE_PRAGMAS) connection.pragma(pragma);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(connection) }),
  });
  return {
    db,
    dialect: 'sqlite',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/**
 * The database holds messages and sealed secrets: its folder is created 0700 and the file 0600 before
 * SQLite opens it (SQLite gives its -wal and -shm files the database file's permissions).
 */
function createOwnerOnly(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

function openPostgres(url: string): SqlStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Times are epoch milliseconds in BIGINT columns; they fit a double exactly, so read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as never,
    },
  });
  const db = new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
