/**
 * Where each file of a chat-day goes: on the comment itself (`FILES`, `[name, base64]` pairs:
 * crm-timeline-comment-add.md, files/how-to-upload-files.md), or, past the inline limit, on Disk once
 * and linked from the comment's text.
 */
import type { InlineAttachment } from '../types.js';
import type { CommentFile } from './comment-text.js';
import { type DiskFolder, readAll, uploadToDisk } from './disk.js';
import type { Bitrix24Transport } from './transport.js';

/**
 * The largest file put on a comment inline. The REST docs give no per-file limit for a comment's FILES
 * (crm-timeline-comment-add.md, files/how-to-upload-files.md are silent; the crm-apis notes §3.4 give
 * only the 2 GB cloud request limit): unverified, so a modest 5 MiB, half the sandbox's stricter 10 MiB.
 * Larger files go through Disk.
 */
export const INLINE_FILE_BYTES = 5 * 1024 * 1024;
/**
 * The most a comment carries inline in all: every update that adds a file sends them all again (old
 * files are always deleted on update: files/how-to-update-files.md), so one request stays small. Past
 * it a day's later files go through Disk. Unverified, wasync's own choice.
 */
export const INLINE_DAY_BYTES = 20 * 1024 * 1024;

/**
 * How a day's ref names its files (TranscriptRef.related): `file:<key>` a Disk file's id (an erasure
 * deletes it: written.ts), `url:<key>` its link, `inline:<key>` a file on the comment (it goes with
 * the comment).
 */
export const DISK_FILE = 'file:';
export const DISK_URL = 'url:';
export const ON_COMMENT = 'inline:';

export interface PlannedFiles {
  /** Every file the comment carries, in the day's order (sent whole whenever one is new). */
  inline: InlineAttachment[];
  /** Some inline file is not on the comment yet, as far as the ref knows. */
  newInline: boolean;
  /** The day's files as the comment's text lists them. */
  listed: CommentFile[];
  /** The ref's entries for the files. */
  related: Record<string, string>;
}

/**
 * Decides each file's place and uploads the new large ones to Disk. A file keeps the place the
 * previous write gave it (`previous`, the ref's related): a Disk file is never uploaded twice, a file
 * on the comment stays there. A new file goes inline while it fits the limits, else to Disk.
 */
export async function planFiles(
  transport: Bitrix24Transport,
  folder: DiskFolder,
  files: readonly InlineAttachment[],
  previous: Readonly<Record<string, string>>,
): Promise<PlannedFiles> {
  const planned: PlannedFiles = { inline: [], newInline: false, listed: [], related: {} };
  let inlineBytes = 0;
  for (const file of files) {
    const about = {
      fileName: file.fileName,
      sizeBytes: file.sizeBytes,
      senderName: file.senderName,
      time: file.time,
    };
    const diskId = previous[`${DISK_FILE}${file.key}`];
    const diskUrl = previous[`${DISK_URL}${file.key}`];
    const known = previous[`${ON_COMMENT}${file.key}`] !== undefined;
    const fits = file.sizeBytes <= INLINE_FILE_BYTES && inlineBytes + file.sizeBytes <= INLINE_DAY_BYTES;
    if (diskId === undefined && (known || fits)) {
      planned.inline.push(file);
      inlineBytes += file.sizeBytes;
      if (!known) planned.newInline = true;
      planned.related[`${ON_COMMENT}${file.key}`] = '1';
      planned.listed.push({ ...about, where: { onComment: true } });
      continue;
    }
    const disk =
      diskId !== undefined && diskUrl !== undefined
        ? { id: diskId, url: diskUrl }
        : await uploadToDisk(transport, folder, {
            key: file.key,
            fileName: file.fileName,
            mimeType: file.mimeType,
            open: () => file.open(),
          });
    planned.related[`${DISK_FILE}${file.key}`] = disk.id;
    planned.related[`${DISK_URL}${file.key}`] = disk.url;
    planned.listed.push({ ...about, where: { onComment: false, url: disk.url } });
  }
  return planned;
}

/** The comment's FILES: every inline file as `[name, base64]`. */
export async function filesField(files: readonly InlineAttachment[]): Promise<[string, string][]> {
  const field: [string, string][] = [];
  for (const file of files)
    field.push([file.fileName, (await readAll(() => file.open())).toString('base64')]);
  return field;
}
