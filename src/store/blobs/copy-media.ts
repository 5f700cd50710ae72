import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { BlobStore } from './blob-store.js';

export interface MediaCopyReport {
  /** Files written into the target store. */
  copied: number;
  /** Files the target held already (a copy run again, or bytes stored twice). */
  present: number;
  /** Files a media row names that the source does not hold: nothing to copy. */
  missing: string[];
}

/**
 * Copies the bytes of every stored media row from one blob store into another, one file at a time,
 * streamed. One way and safe to repeat: the source is left as it is, files already in the target are
 * skipped, and each write is all or nothing, so an interrupted copy is finished by running it again.
 */
export async function copyMedia(options: {
  db: Kysely<Database>;
  from: BlobStore;
  to: BlobStore;
  onFile?: (done: number, total: number) => void;
}): Promise<MediaCopyReport> {
  const rows = await options.db
    .selectFrom('media')
    .select('sha256')
    .distinct()
    .where('sha256', 'is not', null)
    .orderBy('sha256')
    .execute();
  const report: MediaCopyReport = { copied: 0, present: 0, missing: [] };
  for (const [index, row] of rows.entries()) {
    const sha256 = row.sha256 as string;
    if (await options.to.has(sha256)) report.present++;
    else if (!(await options.from.has(sha256))) report.missing.push(sha256);
    else {
      const stored = await options.to.putStream(options.from.open(sha256), Number.MAX_SAFE_INTEGER);
      // A file that changed on disk since it was stored would land under another name: say so.
      if (stored.sha256 !== sha256) {
        await options.to.remove(stored.sha256);
        throw new Error(`The stored bytes of ${sha256} no longer match their hash; nothing copied for it.`);
      }
      report.copied++;
    }
    options.onFile?.(index + 1, rows.length);
  }
  return report;
}
