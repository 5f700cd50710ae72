import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/index.js';
import {
  BlobNotFoundError,
  type BlobStore,
  BlobTooLargeError,
  readBlob,
} from '../src/store/blobs/blob-store.js';
import { FileBlobStore } from '../src/store/blobs/file-blob-store.js';
import { PostgresBlobStore } from '../src/store/blobs/postgres-blob-store.js';
import { openDatabase } from '../src/store/database.js';
import { openStore } from '../src/store/index.js';
import { testDatabases } from './support/databases.js';

/** A store under test, and what it holds: whole blobs, and anything a write left half done. */
interface Subject {
  store: BlobStore;
  held(): Promise<{ blobs: number; partial: number }>;
  close(): Promise<void>;
}

interface Implementation {
  name: string;
  skipped: string | undefined;
  open(): Promise<Subject>;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => fs.statSync(path.join(dir, file)).isFile());
}

const filesystem: Implementation = {
  name: 'filesystem',
  skipped: undefined,
  async open() {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-blobs-'));
    const media = path.join(dataDir, 'media');
    return {
      store: new FileBlobStore(dataDir),
      held: async () => {
        const files = filesUnder(media);
        const partial = files.filter((file) => file.startsWith(`tmp${path.sep}`)).length;
        return { blobs: files.length - partial, partial };
      },
      close: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

const postgresDatabase = testDatabases().find((d) => d.dialect === 'postgres');
const database: Implementation = {
  name: 'database (Postgres)',
  skipped: postgresDatabase?.skipped ?? (postgresDatabase ? undefined : 'no Postgres'),
  async open() {
    if (!postgresDatabase) throw new Error('no Postgres');
    const created = await postgresDatabase.create();
    const opened = await openDatabase(created.config);
    const count = async (query: ReturnType<typeof sql<{ n: number }>>) =>
      Number((await query.execute(opened.db)).rows[0]?.n);
    return {
      store: new PostgresBlobStore(opened.db),
      held: async () => ({
        blobs: await count(sql`select count(*) as n from media_blobs`),
        partial: await count(
          sql`select count(*) as n from media_blob_chunks where blob_key not in (select sha256 from media_blobs)`,
        ),
      }),
      close: async () => {
        await opened.close();
        await created.drop();
      },
    };
  },
};

/** Bytes that look random and are the same every run (xorshift32 from a seed). */
function seededBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The bytes in uneven pieces, as a network read hands them over; `gate` may hold a piece back. */
async function* pieces(bytes: Buffer, size: number, gate?: (index: number) => Promise<void>) {
  for (let offset = 0, index = 0; offset < bytes.length; offset += size, index++) {
    await gate?.(index);
    yield bytes.subarray(offset, offset + size);
  }
}

const MIB = 1024 * 1024;

for (const implementation of [filesystem, database]) {
  const title = `BlobStore conformance: ${implementation.name}`;
  const suite = (body: () => void) =>
    implementation.skipped
      ? describe.skip(`${title} (skipped: ${implementation.skipped})`, body)
      : describe(title, body);
  suite(() => {
    let subject: Subject;
    let store: BlobStore;
    beforeEach(async () => {
      subject = await implementation.open();
      store = subject.store;
    });
    afterEach(() => subject.close());

    it('stores bytes under their sha256, says it has them and their size, and reads them back', async () => {
      const photo = Buffer.from('a photo, or near enough');
      expect(await store.putBytes(photo)).toEqual({ sha256: sha256(photo), sizeBytes: photo.length });
      expect(await store.has(sha256(photo))).toBe(true);
      expect(await store.size(sha256(photo))).toBe(photo.length);
      expect(await readBlob(store, sha256(photo))).toEqual(photo);
    });

    it('streams a file of several MiB in and out unchanged', async () => {
      const video = seededBytes(5 * MIB + 12_345, 19);
      const stored = await store.putStream(pieces(video, 65_537), 100 * MIB);
      expect(stored).toEqual({ sha256: sha256(video), sizeBytes: video.length });
      expect(await store.size(stored.sha256)).toBe(video.length);
      const read = await readBlob(store, stored.sha256);
      expect(read.length).toBe(video.length);
      expect(read.equals(video)).toBe(true);
      expect(await subject.held()).toEqual({ blobs: 1, partial: 0 });
    });

    it('reads a stream piece by piece, the way a download route sends it', async () => {
      const video = seededBytes(3 * MIB, 7);
      const { sha256: hash } = await store.putBytes(video);
      const sizes: number[] = [];
      for await (const part of store.open(hash)) sizes.push((part as Buffer).length);
      expect(sizes.length).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MIB);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(video.length);
    });

    it('stores the same bytes once, however often and however they come', async () => {
      const photo = seededBytes(1.5 * MIB, 3);
      const first = await store.putBytes(photo);
      expect(await store.putBytes(photo)).toEqual(first);
      expect(await store.putStream(pieces(photo, 10_000), 100 * MIB)).toEqual(first);
      expect(await store.putStream(Readable.from([photo]), photo.length)).toEqual(first);
      expect(await subject.held()).toEqual({ blobs: 1, partial: 0 });
      expect((await readBlob(store, first.sha256)).equals(photo)).toBe(true);
    });

    it('keeps an empty file', async () => {
      const empty = Buffer.alloc(0);
      const stored = await store.putStream([empty], 10);
      expect(stored).toEqual({ sha256: sha256(empty), sizeBytes: 0 });
      expect(await store.size(stored.sha256)).toBe(0);
      expect(await readBlob(store, stored.sha256)).toEqual(empty);
    });

    it('refuses a stream past the limit, stops reading it, and keeps nothing of it', async () => {
      const video = seededBytes(3 * MIB, 5);
      const source = Readable.from(pieces(video, 65_536));
      const refused = store.putStream(source, 2 * MIB);
      await expect(refused).rejects.toBeInstanceOf(BlobTooLargeError);
      await expect(refused).rejects.toMatchObject({ limitBytes: 2 * MIB });
      expect(source.destroyed).toBe(true);
      expect(await store.has(sha256(video))).toBe(false);
      expect(await subject.held()).toEqual({ blobs: 0, partial: 0 });
      // A limit of exactly the size lets it in.
      expect((await store.putStream(pieces(video, 65_536), video.length)).sizeBytes).toBe(video.length);
    });

    it('keeps nothing of a stream that fails half way', async () => {
      async function* broken() {
        yield seededBytes(MIB + 10, 9);
        throw new Error('connection reset');
      }
      await expect(store.putStream(broken(), 100 * MIB)).rejects.toThrow('connection reset');
      expect(await subject.held()).toEqual({ blobs: 0, partial: 0 });
    });

    it('lets two writers of the same bytes at the same time both succeed, with one blob kept', async () => {
      const video = seededBytes(3 * MIB + 1, 11);
      // Each writer holds its second piece back until both have started, so the writes overlap.
      let started = 0;
      let bothStarted: () => void = () => {};
      const overlap = new Promise<void>((resolve) => {
        bothStarted = resolve;
      });
      const gate = async (index: number) => {
        if (index !== 1) return;
        if (++started === 2) bothStarted();
        await overlap;
      };
      const results = await Promise.all([
        store.putStream(pieces(video, 700_000, gate), 100 * MIB),
        store.putStream(pieces(video, 900_000, gate), 100 * MIB),
      ]);
      expect(started).toBe(2);
      expect(results).toEqual([
        { sha256: sha256(video), sizeBytes: video.length },
        { sha256: sha256(video), sizeBytes: video.length },
      ]);
      expect(await subject.held()).toEqual({ blobs: 1, partial: 0 });
      expect((await readBlob(store, sha256(video))).equals(video)).toBe(true);
    });

    it('deletes a blob: gone from has, size and reads; deleting again says there was none', async () => {
      const photo = seededBytes(2 * MIB + 3, 13);
      const kept = await store.putBytes(Buffer.from('another file'));
      const { sha256: hash } = await store.putBytes(photo);
      expect(await store.remove(hash)).toBe(true);
      expect(await store.has(hash)).toBe(false);
      expect(await store.size(hash)).toBeUndefined();
      await expect(readBlob(store, hash)).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await store.remove(hash)).toBe(false);
      expect(await subject.held()).toEqual({ blobs: 1, partial: 0 });
      expect(await readBlob(store, kept.sha256)).toEqual(Buffer.from('another file'));
    });

    it('answers a blob it never had with BlobNotFoundError, and anything not a hash likewise', async () => {
      const unknown = sha256(Buffer.from('never stored'));
      expect(await store.has(unknown)).toBe(false);
      await expect(readBlob(store, unknown)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(readBlob(store, '../../secret.key')).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await store.has('../../secret.key')).toBe(false);
      expect(await store.remove('../../secret.key')).toBe(false);
    });
  });
}

describe('the database media store needs Postgres', () => {
  it('refuses to open on SQLite with a ConfigError naming WASYNC_MEDIA_STORE', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-blobs-'));
    try {
      const opening = openStore({
        database: { dialect: 'sqlite', file: path.join(dir, 'wasync.db') },
        dataDir: dir,
        mediaStore: 'database',
      });
      await expect(opening).rejects.toBeInstanceOf(ConfigError);
      await expect(opening).rejects.toThrow(/WASYNC_MEDIA_STORE: database keeps media in Postgres/);
      // Refused before anything was created.
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
