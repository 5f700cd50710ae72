/**
 * Opens a chat export, `.txt` or `.zip`, as something that can be read twice (a scan pass, then the
 * import pass) without ever holding the whole file. A zip's central directory is checked in full
 * before anything is read: paths that could escape, symbolic links, and zip-bomb limits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import yauzl from 'yauzl';
import { WasyncError } from '../../core/errors.js';

export interface ExportLimits {
  /** Sum of the uncompressed sizes of a zip's entries. */
  maxTotalBytes: number;
  maxEntries: number;
  /** Uncompressed over compressed size, checked for entries larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
  /** Media files one import may store (WASYNC_IMPORT_MAX_MEDIA_FILES). */
  maxMediaFiles: number;
  /** Bytes of media one import may store (WASYNC_IMPORT_MAX_MEDIA_BYTES). */
  maxMediaBytes: number;
}

/** The defaults of the configuration (src/config): keep the two in step. */
export const DEFAULT_LIMITS: ExportLimits = {
  maxTotalBytes: 2 * 1024 ** 3,
  maxEntries: 100_000,
  maxRatio: 200,
  ratioFloorBytes: 1024 ** 2,
  maxMediaFiles: 5_000,
  maxMediaBytes: 1024 ** 3,
};

export interface ExportFile {
  /** The chat's name as the file names it ("WhatsApp Chat with Ana.txt" → "Ana"), if it does. */
  chatName: string | undefined;
  /** Size of the chat text in bytes (uncompressed), for progress. */
  textBytes: number;
  openText(): Promise<Readable>;
  /** Media files of a zip by base name. */
  hasMedia(fileName: string): boolean;
  /** The size a media file unpacks to, as the zip declares it (reading never yields more). */
  mediaBytes(fileName: string): number;
  openMedia(fileName: string): Promise<Readable>;
  close(): void;
}

const ZIP_MAGIC = [0x50, 0x4b];

export async function openExportFile(
  file: string,
  displayName: string,
  limits: ExportLimits = DEFAULT_LIMITS,
): Promise<ExportFile> {
  const stat = await fs.promises.stat(file);
  const head = Buffer.alloc(4);
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (head[0] === ZIP_MAGIC[0] && head[1] === ZIP_MAGIC[1] && (head[2] === 3 || head[2] === 5)) {
    return openZip(file, displayName, limits);
  }
  return {
    chatName: chatNameOf(displayName),
    textBytes: stat.size,
    openText: async () => fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
    hasMedia: () => false,
    mediaBytes: () => 0,
    openMedia: async (name) => {
      throw new Error(`no media ${name} in a text export`);
    },
    close: () => {},
  };
}

/** "WhatsApp Chat with Ana.txt", "WhatsApp Chat - Ana.zip" and their translations → "Ana". */
export function chatNameOf(fileName: string): string | undefined {
  const base = path.basename(fileName).replace(/\.(txt|zip)$/i, '');
  if (base === '_chat' || base === '') return undefined;
  const match =
    /^(?:WhatsApp[- ]Chat(?: with| mit| -)|Chat de WhatsApp con|Chat do WhatsApp com|Conversa do WhatsApp com|Discussion WhatsApp avec|Chat WhatsApp con|Chat di WhatsApp con)\s+(.+)$/i.exec(
      base,
    );
  return (match?.[1] ?? base).trim() || undefined;
}

function unsafe(entry: string, why: string): WasyncError {
  return new WasyncError('export_unsafe_entry', `The zip entry ${JSON.stringify(entry)} ${why}.`, {
    entry,
  });
}

/** yauzl refuses unsafe names itself; its words become our code. */
function zipError(error: Error): WasyncError {
  const message = error.message;
  const name = /: (.*)$/.exec(message)?.[1] ?? '';
  if (/absolute path|invalid relative path|invalid characters in fileName/.test(message)) {
    return unsafe(name, 'points outside the export');
  }
  return new WasyncError('export_invalid', `The zip cannot be read: ${message}`);
}

function openZip(file: string, displayName: string, limits: ExportLimits): Promise<ExportFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true },
      (error, zip) => {
        if (error || !zip) return reject(zipError(error ?? new Error('no zip')));
        const texts: yauzl.Entry[] = [];
        const media = new Map<string, yauzl.Entry>();
        let total = 0;
        let count = 0;
        const fail = (problem: Error) => {
          zip.close();
          reject(problem);
        };
        zip.on('error', (e: Error) => fail(zipError(e)));
        zip.on('entry', (entry: yauzl.Entry) => {
          const name = entry.fileName;
          count++;
          if (count > limits.maxEntries) {
            return fail(
              new WasyncError('export_too_large', `The zip holds more than ${limits.maxEntries} entries.`, {
                limit: 'entries',
              }),
            );
          }
          if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).includes('..')) {
            return fail(unsafe(name, 'points outside the export'));
          }
          const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
          if (mode === 0o120000) return fail(unsafe(name, 'is a symbolic link'));
          total += entry.uncompressedSize;
          if (total > limits.maxTotalBytes) {
            return fail(
              new WasyncError(
                'export_too_large',
                `The zip unpacks to more than ${limits.maxTotalBytes} bytes.`,
                { limit: 'totalBytes' },
              ),
            );
          }
          if (
            entry.uncompressedSize > limits.ratioFloorBytes &&
            entry.uncompressedSize > limits.maxRatio * Math.max(entry.compressedSize, 1)
          ) {
            return fail(
              new WasyncError(
                'export_too_large',
                `The zip entry ${JSON.stringify(name)} expands more than ${limits.maxRatio} times.`,
                { limit: 'ratio', entry: name },
              ),
            );
          }
          if (!name.endsWith('/')) {
            if (name.toLowerCase().endsWith('.txt')) texts.push(entry);
            media.set(path.posix.basename(name), entry);
          }
          zip.readEntry();
        });
        zip.on('end', () => {
          const text = chooseChatText(texts);
          if (!text) {
            zip.close();
            return reject(new WasyncError('export_invalid', 'The zip holds no chat text (.txt) file.'));
          }
          media.delete(path.posix.basename(text.fileName));
          const open = (entry: yauzl.Entry) =>
            new Promise<Readable>((done, failed) =>
              zip.openReadStream(entry, (e, stream) =>
                e || !stream ? failed(zipError(e ?? new Error('no stream'))) : done(capped(stream, entry)),
              ),
            );
          const textName = path.posix.basename(text.fileName);
          resolve({
            chatName: chatNameOf(textName) ?? chatNameOf(displayName),
            textBytes: text.uncompressedSize,
            openText: () => open(text),
            hasMedia: (name) => media.has(name),
            mediaBytes: (name) => media.get(name)?.uncompressedSize ?? 0,
            openMedia: (name) => {
              const entry = media.get(name);
              if (!entry) return Promise.reject(new Error(`no media ${name}`));
              return open(entry);
            },
            close: () => zip.close(),
          });
        });
        zip.readEntry();
      },
    );
  });
}

/** `_chat.txt` (iOS), else the one `WhatsApp Chat….txt`, else the only .txt. */
function chooseChatText(texts: yauzl.Entry[]): yauzl.Entry | undefined {
  const named = (test: (base: string) => boolean) =>
    texts.filter((t) => test(path.posix.basename(t.fileName)));
  const ios = named((base) => base === '_chat.txt');
  if (ios[0]) return ios[0];
  const android = named((base) => chatNameOf(base) !== base.replace(/\.txt$/i, ''));
  if (android.length === 1) return android[0];
  return texts.length === 1 ? texts[0] : undefined;
}

/** A second guard beside yauzl's own: never more bytes than the entry declared. */
function capped(stream: Readable, entry: yauzl.Entry): Readable {
  let seen = 0;
  const limit = entry.uncompressedSize;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) {
        return callback(
          new WasyncError('export_too_large', `The zip entry ${entry.fileName} is larger than it declares.`, {
            limit: 'totalBytes',
          }),
        );
      }
      callback(null, chunk);
    },
  });
  stream.on('error', (error) => guard.destroy(zipError(error)));
  return stream.pipe(guard);
}
