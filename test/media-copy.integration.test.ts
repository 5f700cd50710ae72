import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBlob } from '../src/store/blobs/blob-store.js';
import { copyMedia } from '../src/store/blobs/copy-media.js';
import { PostgresBlobStore } from '../src/store/blobs/postgres-blob-store.js';
import { textMessage } from './support/batches.js';
import { testDatabases } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const postgres = testDatabases().find((d) => d.dialect === 'postgres');
const skipped = postgres?.skipped ?? (postgres ? undefined : 'no Postgres');
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(skipped !== undefined)(
  `copying media from the data dir into Postgres (wasync media copy)${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    let h: Harness;
    beforeEach(async () => {
      if (!postgres) throw new Error('no Postgres');
      h = await startHarness(postgres, { WASYNC_MEDIA_STORE: 'filesystem' });
    });
    afterEach(() => h.close());

    it('copies every stored file once, byte for byte, and finds them there when run again', async () => {
      const account = await h.createAccount();
      const pdf = Buffer.from('%PDF-1.4 the quote');
      const photo = Buffer.alloc(2 * 1024 * 1024 + 5, 9);
      await h.postMessages(account, [
        textMessage({
          type: 'document',
          media: { base64: pdf.toString('base64'), mimeType: 'application/pdf' },
        }),
        textMessage({ type: 'image', media: { base64: photo.toString('base64'), mimeType: 'image/jpeg' } }),
        // The same bytes again: one file.
        textMessage({
          type: 'document',
          media: { base64: pdf.toString('base64'), mimeType: 'application/pdf' },
        }),
      ]);
      const from = h.services.store.blobs;
      const to = new PostgresBlobStore(h.services.store.sql.db);
      expect(await to.has(sha(pdf))).toBe(false);

      const progress: number[] = [];
      const first = await copyMedia({
        db: h.services.store.sql.db,
        from,
        to,
        onFile: (done) => progress.push(done),
      });
      expect(first).toEqual({ copied: 2, present: 0, missing: [] });
      expect(progress).toEqual([1, 2]);
      expect(await readBlob(to, sha(pdf))).toEqual(pdf);
      expect((await readBlob(to, sha(photo))).equals(photo)).toBe(true);
      // One way: the data dir keeps its files.
      expect(await from.has(sha(photo))).toBe(true);

      expect(await copyMedia({ db: h.services.store.sql.db, from, to })).toEqual({
        copied: 0,
        present: 2,
        missing: [],
      });
      // A file gone from the source is named, not invented.
      await to.remove(sha(pdf));
      await from.remove(sha(pdf));
      expect(await copyMedia({ db: h.services.store.sql.db, from, to })).toEqual({
        copied: 0,
        present: 1,
        missing: [sha(pdf)],
      });
    });
  },
);
