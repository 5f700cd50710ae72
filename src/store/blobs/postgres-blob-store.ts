import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import {
  BlobNotFoundError,
  type BlobStore,
  BlobTooLargeError,
  meter,
  SHA256_HEX,
  type StoredBlob,
  sha256Of,
} from './blob-store.js';

/** Rows of 1 MiB: small enough to hold one in memory per stream, large enough to keep rows few. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

/** Thrown inside a write's transaction to roll it back when another writer stored the bytes first. */
class StoredAlready extends Error {
  constructor(readonly blob: StoredBlob) {
    super('stored already');
  }
}

/**
 * Media bytes in the Postgres database every process reaches, for workers on other machines than the
 * data dir's. A blob is `media_blob_chunks` rows of {@link BLOB_CHUNK_BYTES} plus its `media_blobs`
 * row, all written in one transaction: until it commits no one sees any of it, and a crash or a
 * refused write rolls it all back. Incoming bytes are spooled to a local temp file (never held in
 * memory whole) and measured there; the chunks then go in under a key of this upload and are renamed
 * to the hash at the end, once the hash is claimed.
 */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'database';

  constructor(
    private readonly db: Kysely<Database>,
    private readonly chunkBytes = BLOB_CHUNK_BYTES,
  ) {}

  async has(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    const row = await this.db
      .selectFrom('media_blobs')
      .select('size_bytes')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.size_bytes);
  }

  async putBytes(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = sha256Of(bytes);
    if (await this.has(sha256)) return { sha256, sizeBytes: bytes.byteLength };
    return this.putStream([bytes], bytes.byteLength);
  }

  async putStream(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    maxBytes: number,
  ): Promise<StoredBlob> {
    // The bytes are spooled to a local temp file first, so the transaction (and the pooled connection
    // it holds) lasts as long as a copy from local disk, not as long as a slow download; and bytes
    // stored already are not written again.
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'wasync-blob-'));
    try {
      const spooled = path.join(dir, 'bytes');
      const metered = meter(maxBytes);
      await pipeline(source, metered, fs.createWriteStream(spooled));
      const blob = metered.result();
      if (await this.has(blob.sha256)) return blob;
      const chunks = () => fs.createReadStream(spooled, { highWaterMark: this.chunkBytes });
      return await this.db.transaction().execute((trx) => this.write(trx, chunks(), blob.sizeBytes));
    } catch (error) {
      if (error instanceof StoredAlready) return error.blob;
      throw error;
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }

  open(sha256: string): Readable {
    const db = this.db;
    async function* read(): AsyncGenerator<Buffer> {
      const blob = SHA256_HEX.test(sha256)
        ? await db
            .selectFrom('media_blobs')
            .select('chunk_count')
            .where('sha256', '=', sha256)
            .executeTakeFirst()
        : undefined;
      if (blob === undefined) throw new BlobNotFoundError(sha256);
      // One row per query: a 100 MB file never sits in memory whole.
      for (let seq = 0; seq < blob.chunk_count; seq++) {
        const row = await db
          .selectFrom('media_blob_chunks')
          .select('bytes')
          .where('blob_key', '=', sha256)
          .where('seq', '=', seq)
          .executeTakeFirst();
        // Erased while being read.
        if (row === undefined) throw new BlobNotFoundError(sha256);
        yield row.bytes;
      }
    }
    return Readable.from(read(), { objectMode: false });
  }

  async remove(sha256: string): Promise<boolean> {
    if (!SHA256_HEX.test(sha256)) return false;
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('media_blobs').where('sha256', '=', sha256).executeTakeFirst();
      await trx.deleteFrom('media_blob_chunks').where('blob_key', '=', sha256).execute();
      return removed.numDeletedRows > 0n;
    });
  }

  private async write(
    trx: Kysely<Database>,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    maxBytes: number,
  ): Promise<StoredBlob> {
    const upload = `upload:${randomBytes(12).toString('hex')}`;
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(this.chunkBytes);
    let filled = 0;
    let size = 0;
    let seq = 0;
    const flush = async () => {
      // The insert has sent the bytes by the time it resolves, so the buffer is free to refill.
      await trx
        .insertInto('media_blob_chunks')
        .values({ blob_key: upload, seq: seq++, bytes: chunk.subarray(0, filled) })
        .execute();
      filled = 0;
    };
    for await (const piece of source) {
      size += piece.byteLength;
      // Leaving the loop by a throw destroys the source, as a failed pipeline would.
      if (size > maxBytes) throw new BlobTooLargeError(maxBytes);
      hash.update(piece);
      let offset = 0;
      while (offset < piece.byteLength) {
        const taken = Math.min(this.chunkBytes - filled, piece.byteLength - offset);
        chunk.set(piece.subarray(offset, offset + taken), filled);
        filled += taken;
        offset += taken;
        if (filled === this.chunkBytes) await flush();
      }
    }
    if (filled > 0) await flush();
    const blob = { sha256: hash.digest('hex'), sizeBytes: size };
    // Claiming the hash first makes a second writer of the same bytes wait here for the first one's
    // commit, then find the row and roll its own copy back. Nothing is visible before the commit anyway.
    const claimed = await trx
      .insertInto('media_blobs')
      .values({ sha256: blob.sha256, size_bytes: size, chunk_count: seq, created_at: Date.now() })
      .onConflict((conflict) => conflict.column('sha256').doNothing())
      .returning('sha256')
      .executeTakeFirst();
    if (claimed === undefined) throw new StoredAlready(blob);
    await trx
      .updateTable('media_blob_chunks')
      .set({ blob_key: blob.sha256 })
      .where('blob_key', '=', upload)
      .execute();
    return blob;
  }
}
