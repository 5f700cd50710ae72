import { CompiledQuery, type Kysely } from 'kysely';
import type { DialectName } from './migrations/index.js';
import type { Database } from './schema.js';

const ATTEMPTS = 4;

/**
 * Runs `work` in a write transaction, retrying when the database says "try again".
 *
 * - SQLite: `BEGIN IMMEDIATE` takes the write lock up front. A plain `BEGIN` reads first and asks for
 *   the lock later, and two processes on one file (serve and `wasync import`, say) then fail with
 *   SQLITE_BUSY instead of waiting their turn.
 * - Postgres: concurrent batches touching the same chats can deadlock or fail serialization; the
 *   database aborts one of them, and running it again is the documented remedy.
 *
 * `work` must be safe to run again (ingest is: every write is idempotent on source ids).
 */
export async function writeTransaction<T>(
  db: Kysely<Database>,
  dialect: DialectName,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return dialect === 'sqlite'
        ? await immediateTransaction(db, work)
        : await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
    }
  }
}

async function immediateTransaction<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    try {
      const result = await work(connection);
      await connection.executeQuery(CompiledQuery.raw('commit'));
      return result;
    } catch (error) {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
      throw error;
    }
  });
}

/** Deadlock, serialization failure (Postgres) or a lock still held after busy_timeout (SQLite). */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT';
}
