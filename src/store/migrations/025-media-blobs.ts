import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * The database media store (WASYNC_MEDIA_STORE=database, Postgres only): each blob's bytes in rows of
 * 1 MiB (`media_blob_chunks`) and one `media_blobs` row per blob, keyed by the SHA-256 of its bytes.
 * The tables exist on SQLite too, so the schemas stay alike, but stay empty there.
 */
export function mediaBlobs(dialect: DialectName): MigrationSet[string] {
  const big: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const bytes: ColumnDataType = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('media_blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('size_bytes', big, (c) => c.notNull())
        .addColumn('chunk_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('media_blob_chunks')
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('bytes', bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('media_blob_chunks_pkey', ['blob_key', 'seq'])
        .execute();
    },
  };
}
