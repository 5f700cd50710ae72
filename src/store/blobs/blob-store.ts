import { createHash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';

export interface StoredBlob {
  sha256: string;
  sizeBytes: number;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The file is larger than the ${limitBytes}-byte limit`);
    this.name = 'BlobTooLargeError';
  }
}

export class BlobNotFoundError extends Error {
  readonly code = 'ENOENT';
  constructor(readonly sha256: string) {
    super(`No media bytes stored for ${sha256}`);
    this.name = 'BlobNotFoundError';
  }
}

/**
 * Where media bytes live, once per content (named by their SHA-256). Every process of one wasync
 * reaches the same store: the data dir's `media/` folder ({@link FileBlobStore}), or tables of the
 * Postgres database ({@link PostgresBlobStore}) when workers run on other machines. No caller sees a
 * file path; bytes go in and come out as streams.
 *
 * Every implementation promises: a write is all or nothing (a crash or a refused write leaves no
 * blob, not even a partial one, under any hash); two writers of the same bytes both succeed; reads
 * stream without holding the whole file in memory.
 */
export interface BlobStore {
  /** `filesystem` or `database` (WASYNC_MEDIA_STORE), for status output. */
  readonly kind: 'filesystem' | 'database';
  has(sha256: string): Promise<boolean>;
  /** Byte size of the stored blob; undefined when there is none. */
  size(sha256: string): Promise<number | undefined>;
  putBytes(bytes: Uint8Array): Promise<StoredBlob>;
  /**
   * Streams bytes in, hashing as they pass; rejects with {@link BlobTooLargeError} past `maxBytes`,
   * leaving nothing stored.
   */
  putStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number): Promise<StoredBlob>;
  /** The bytes as a stream; it fails with {@link BlobNotFoundError} when there is no such blob. */
  open(sha256: string): Readable;
  /** Deletes the bytes (an erasure, once no media row uses them); false if there were none. */
  remove(sha256: string): Promise<boolean>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A pass-through that hashes and counts, failing with BlobTooLargeError once past `maxBytes`. */
export function meter(maxBytes: number): Transform & { result(): StoredBlob } {
  const hash = createHash('sha256');
  let size = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) return callback(new BlobTooLargeError(maxBytes));
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  return Object.assign(transform, { result: () => ({ sha256: hash.digest('hex'), sizeBytes: size }) });
}

/** The whole blob in memory: for small files and tests; everything else streams {@link BlobStore.open}. */
export async function readBlob(store: BlobStore, sha256: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of store.open(sha256)) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
