import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';
import { LRUCache } from 'lru-cache';

/**
 * Kysely prepares every query anew. Preparing is SQLite parsing and planning the statement, which for
 * a 500-row insert costs more than running it; the same few statements run over and over, so keep
 * them prepared. A statement still being iterated (a streaming read) is never handed out twice.
 */
export function withStatementCache(connection: SqliteDatabase.Database, max = 200): KyselySqliteDatabase {
  const cache = new LRUCache<string, SqliteDatabase.Statement>({ max });
  return {
    close: () => connection.close(),
    prepare: (sql: string) => {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = connection.prepare(sql);
      cache.set(sql, statement);
      return statement;
    },
  };
}
