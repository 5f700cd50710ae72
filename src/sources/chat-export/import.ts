/**
 * Imports a WhatsApp chat export into an account, in three steps so that a bad file stores nothing:
 *
 * 1. scan: the whole chat text is read once, as bytes (UTF-8, binary, date order, authors); a zip's
 *    directory was already checked when it was opened. Nothing is written.
 * 2. media: attachment files the text names are streamed into the content-addressed blob store
 *    (an unreferenced blob is harmless, as in the ingest pipeline).
 * 3. import: the text is read again and handed to the ingest pipeline in batches of 500.
 *
 * Message ids are derived from the content, so a second import of the same export, or of a newer one
 * that overlaps, stores only what is new.
 */
import { createHash } from 'node:crypto';
import { WasyncError } from '../../core/errors.js';
import type { Account } from '../../core/model.js';
import type { PartyRef } from '../../core/party.js';
import { type CountryCode, normalizePhone } from '../../core/phone.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { IngestChat, IngestMessage } from '../../ingest/types.js';
import { type BlobStore, BlobTooLargeError, type StoredBlob } from '../../store/blobs/blob-store.js';
import { DEFAULT_LIMITS, type ExportFile, type ExportLimits, openExportFile } from './archive.js';
import { isEncryptionNotice, languageOf } from './locales.js';
import { type Classified, classify, mimeTypeOf } from './markers.js';
import {
  type DateOrder,
  DateOrderDetector,
  ExportLineParser,
  formatLocal,
  localDateTime,
  type RawMessage,
  ZonedClock,
} from './parser.js';
import { ExportScanner, type ScannedMessage } from './scan.js';
import { readLineBlocks, readLines } from './text.js';

export interface ImportOptions {
  account: Account;
  /** Phone of the other person of a 1:1 export. */
  chatWith?: string | undefined;
  /** The account owner's name as the export writes it. */
  me?: string | undefined;
  /** Name of the chat (a group's key and title); defaults to the name in the file name. */
  chatName?: string | undefined;
  timeZone: string;
  dateOrder?: DateOrder | undefined;
  defaultRegion: CountryCode | undefined;
  mediaMaxBytes: number;
  limits?: ExportLimits;
  /** Media bytes the workspace may hold in all (WASYNC_STORAGE_QUOTA); undefined: no quota. */
  storageQuotaBytes?: number | undefined;
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  /**
   * The imported history goes to the CRM whatever its age (the user asked for it): default true; false
   * (`--no-crm`, unticked in the workspace) leaves it to the backfill window.
   */
  toCrm?: boolean;
}

export interface ImportProgress {
  phase: 'scan' | 'media' | 'import';
  done: number;
  total: number;
}

export interface ImportSummary {
  chat: { kind: 'direct' | 'group'; key: string; title: string | undefined };
  dateOrder: DateOrder;
  dateOrderDetected: boolean;
  lines: number;
  /** dropped: left out because their author or chat partner was erased (a tombstone holds the number). */
  messages: { total: number; new: number; existing: number; system: number; dropped: number };
  media: { found: number; missing: number; omitted: number; tooLarge: number };
  skipped: { total: number; reasons: Record<string, number> };
  authors: { me: string | undefined; others: number };
  /** The chat the messages are in (undefined when none was stored, e.g. every line left out). */
  chatId: string | undefined;
  /** Whether the imported history goes to the CRM whatever its age. */
  toCrm: boolean;
}

/** What the scan takes a line it does not classify for: plain text. */
const PLAIN = { kind: 'text' } as const;

const MAX_AUTHORS = 10_000;

export interface ImportServices {
  ingest: IngestPipeline;
  blobs: BlobStore;
  /** Media bytes the workspace holds now; asked only when there is a quota. */
  storedMediaBytes?: () => Promise<number>;
  /** Sends these chats' history from `from` on to the CRM whatever the backfill window. */
  sendHistory?: (chatIds: string[], from: number) => Promise<void>;
}

/** Opens the file (zip or text), imports it, and closes it. */
export async function importChatExportFile(
  services: ImportServices,
  file: string,
  displayName: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const source = await openExportFile(file, displayName, options.limits ?? DEFAULT_LIMITS);
  try {
    return await importChatExport(services, source, options);
  } finally {
    source.close();
  }
}

/**
 * Refuses, before a byte is written, an import whose media would pass the per-import limits or the
 * workspace's storage quota. The sizes are those the zip declares, which reading never exceeds; files
 * over WASYNC_MEDIA_MAX_BYTES are left out of the import, so they do not count.
 */
async function checkMediaLimits(
  services: ImportServices,
  source: ExportFile,
  attachments: ReadonlySet<string>,
  options: ImportOptions,
): Promise<void> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const sizes = [...attachments]
    .map((name) => source.mediaBytes(name))
    .filter((b) => b <= options.mediaMaxBytes);
  const importBytes = sizes.reduce((sum, bytes) => sum + bytes, 0);
  if (sizes.length > limits.maxMediaFiles) {
    throw new WasyncError(
      'export_too_large',
      `The export holds ${sizes.length} media files; one import may store ${limits.maxMediaFiles}.`,
      { limit: 'mediaFiles', mediaFiles: sizes.length, maxMediaFiles: limits.maxMediaFiles },
    );
  }
  if (importBytes > limits.maxMediaBytes) {
    throw new WasyncError(
      'export_too_large',
      `The export holds ${importBytes} bytes of media; one import may store ${limits.maxMediaBytes}.`,
      { limit: 'mediaBytes', mediaBytes: importBytes, maxMediaBytes: limits.maxMediaBytes },
    );
  }
  const quota = options.storageQuotaBytes;
  if (quota === undefined || importBytes === 0 || !services.storedMediaBytes) return;
  const used = await services.storedMediaBytes();
  if (used + importBytes > quota) {
    throw new WasyncError(
      'storage_quota_exceeded',
      `The import's ${importBytes} bytes of media would take the workspace past its storage quota ` +
        `(${used} of ${quota} bytes used).`,
      { usedBytes: used, quotaBytes: quota, importBytes },
    );
  }
}

interface Scan {
  detector: DateOrderDetector;
  authors: Map<string, number>;
  attachments: Set<string>;
  messages: number;
}

export async function importChatExport(
  services: ImportServices,
  source: ExportFile,
  options: ImportOptions,
): Promise<ImportSummary> {
  const progress = options.onProgress ?? (() => {});
  // 1. Scan: validate all, decide the date order and who is who.
  const scan: Scan = {
    detector: new DateOrderDetector(),
    authors: new Map(),
    attachments: new Set(),
    messages: 0,
  };
  const scanner = new ExportScanner((m) => {
    scan.messages++;
    // The scanner hands over the first line of those messages only that may be a marker.
    const { meaning, system } = observeScanned(scan.detector, m);
    if (meaning.kind === 'attached' && source.hasMedia(meaning.fileName))
      scan.attachments.add(meaning.fileName);
    if (system || m.author === undefined) return;
    scan.authors.set(m.author, (scan.authors.get(m.author) ?? 0) + 1);
    if (scan.authors.size > MAX_AUTHORS) {
      throw new WasyncError('export_invalid', `More than ${MAX_AUTHORS} authors: this is no chat export.`);
    }
  });
  await readLineBlocks(await source.openText(), (block, bytes) => {
    scanner.pushBlock(block);
    progress({ phase: 'scan', done: bytes, total: source.textBytes });
  });
  if (scan.messages === 0) {
    throw new WasyncError('export_invalid', 'No WhatsApp message line was found in the file.');
  }
  const detected = scan.detector.decide();
  const dateOrder =
    options.dateOrder ?? (detected === 'ambiguous' || detected === 'conflicting' ? undefined : detected);
  if (dateOrder === undefined) {
    throw new WasyncError(
      'export_ambiguous',
      detected === 'ambiguous'
        ? 'Nothing in the export tells the day from the month (no date, attachment name or language does); pass the date order (--date-order dmy|mdy|ymd).'
        : 'The dates of the export contradict each other; pass the date order (--date-order dmy|mdy|ymd).',
      { option: 'dateOrder', detected },
    );
  }
  const parties = resolveParties(scan, source, options);

  await checkMediaLimits(services, source, scan.attachments, options);

  // 2. Media into the blob store, before any message refers to them.
  const blobs = new Map<string, StoredBlob>();
  let tooLarge = 0;
  let mediaDone = 0;
  for (const name of scan.attachments) {
    try {
      blobs.set(name, await services.blobs.putStream(await source.openMedia(name), options.mediaMaxBytes));
    } catch (error) {
      if (!(error instanceof BlobTooLargeError)) throw error;
      tooLarge++;
    }
    progress({ phase: 'media', done: ++mediaDone, total: scan.attachments.size });
  }

  // 3. Import.
  const summary: ImportSummary = {
    chat: { kind: parties.chat.kind, key: parties.chatKey, title: parties.title },
    dateOrder,
    dateOrderDetected: options.dateOrder === undefined,
    lines: 0,
    messages: { total: 0, new: 0, existing: 0, system: 0, dropped: 0 },
    media: { found: 0, missing: 0, omitted: 0, tooLarge },
    skipped: { total: 0, reasons: {} },
    authors: { me: parties.me, others: scan.authors.size - (parties.me === undefined ? 0 : 1) },
    chatId: undefined,
    toCrm: options.toCrm ?? true,
  };
  const chats = new Map<string, number>();
  const skip = (reason: string) => {
    summary.skipped.total++;
    summary.skipped.reasons[reason] = (summary.skipped.reasons[reason] ?? 0) + 1;
  };
  const clock = new ZonedClock(options.timeZone);
  const batchSize = options.batchSize ?? 500;
  let batch: IngestMessage[] = [];
  let occurrences = new Map<string, number>();
  let lastLocal = '';
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await services.ingest.ingest(options.account, batch);
    summary.messages.new += result.stored.messages;
    summary.messages.existing += result.duplicates.messages;
    summary.messages.dropped += result.dropped.messages;
    for (const chat of result.chats)
      chats.set(chat.id, Math.min(chats.get(chat.id) ?? chat.firstSentAt, chat.firstSentAt));
    batch = [];
  };
  const parser = new ExportLineParser(
    (m) => {
      const local = localDateTime(m, dateOrder);
      if (local === undefined) return skip('invalid_date');
      const localText = formatLocal(local);
      if (localText !== lastLocal) {
        occurrences = new Map();
        lastLocal = localText;
      }
      const key = `${m.author ?? ''}\u0000${m.text}`;
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      const sourceId = `export:${createHash('sha256')
        .update(
          `${options.account.id}\u0000${parties.chatKey}\u0000${localText}\u0000${key}\u0000${occurrence}`,
        )
        .digest('base64url')}`;
      const message = toMessage(m, {
        sourceId,
        sentAt: clock.toEpoch(local),
        localText,
        parties,
        blobs,
        summary,
      });
      summary.messages.total++;
      batch.push(message);
    },
    (reason) => skip(reason),
  );
  await readLines(await source.openText(), async (lines, bytes) => {
    for (const line of lines) parser.push(line);
    if (batch.length >= batchSize) await flush();
    progress({ phase: 'import', done: bytes, total: source.textBytes });
  });
  parser.end();
  await flush();
  summary.lines = parser.lines;
  summary.chatId = [...chats.keys()][0];
  if (summary.toCrm && chats.size > 0) {
    await services.sendHistory?.([...chats.keys()], Math.min(...chats.values()));
  }
  return summary;
}

interface Parties {
  chat: IngestChat;
  chatKey: string;
  title: string | undefined;
  me: string | undefined;
  /** Party of each author with a known phone. */
  byAuthor: Map<string, PartyRef>;
}

/**
 * What the scan reads from a message: its meaning (from the first line the scanner handed over, if
 * any) and whether it is a system line; the date, attachment names and the language of system
 * notices and markers go to the date-order detector.
 */
export function observeScanned(
  detector: DateOrderDetector,
  m: ScannedMessage,
): { meaning: Classified | typeof PLAIN; system: boolean } {
  detector.observe(m);
  const meaning = m.firstLine === undefined ? PLAIN : classify(m.firstLine);
  if (meaning.kind === 'attached') detector.observeAttachment(m, meaning.fileName);
  const system = isSystemLine(m, meaning.kind, m.firstLine);
  if (m.firstLine !== undefined && (system || meaning.kind !== 'text')) {
    const language = languageOf(m.firstLine);
    if (language !== undefined) detector.observeLanguage(language);
  }
  return { meaning, system };
}

export function isSystemLine(
  m: Pick<RawMessage, 'author' | 'marked'>,
  kind: Classified['kind'],
  firstLine: string | undefined,
): boolean {
  // Android writes system lines without an author; iOS gives them a name (the chat's, or the account
  // owner's on the encryption notice) and a U+200E mark. The encryption notice is a system line even
  // where the mark was lost.
  return (
    m.author === undefined ||
    (m.marked && kind === 'text') ||
    (kind === 'text' && firstLine !== undefined && isEncryptionNotice(firstLine))
  );
}

const PHONE_LIKE = /^\+?[\d\s\-().\u202f\u00a0]{6,24}$/;

function phoneOf(author: string, region: CountryCode | undefined): string | undefined {
  if (!PHONE_LIKE.test(author) || (author.match(/\d/g)?.length ?? 0) < 7) return undefined;
  const phone = normalizePhone(author, { defaultRegion: region });
  return phone.ok ? phone.e164 : undefined;
}

function resolveParties(scan: Scan, source: ExportFile, options: ImportOptions): Parties {
  const region = options.defaultRegion;
  const authors = [...scan.authors.keys()];
  const byAuthor = new Map<string, PartyRef>();
  for (const author of authors) {
    const phone = phoneOf(author, region);
    if (phone) byAuthor.set(author, { phone });
  }
  let me = options.me;
  if (me !== undefined && !scan.authors.has(me)) {
    throw new WasyncError(
      'export_ambiguous',
      `No message of the export is written by ${JSON.stringify(me)}.`,
      {
        option: 'me',
        authors: authors.slice(0, 50),
      },
    );
  }
  me ??=
    authors.find((a) => options.account.displayName !== undefined && a === options.account.displayName) ??
    authors.find((a) => byAuthor.get(a)?.phone === options.account.phone);
  let others = authors.filter((a) => a !== me);
  let chatWith: string | undefined;
  if (options.chatWith !== undefined) {
    const phone = normalizePhone(options.chatWith, { defaultRegion: region });
    if (!phone.ok)
      throw new WasyncError('invalid_phone', `${options.chatWith}: ${phone.message}`, { field: 'chatWith' });
    chatWith = phone.e164;
    if (me === undefined && others.length === 2) {
      // The partner is the author with that phone; the owner is the other one.
      const partner = others.find((a) => byAuthor.get(a)?.phone === chatWith);
      if (partner) {
        me = others.find((a) => a !== partner);
        others = [partner];
      }
    }
    if (others.length > 1) {
      throw new WasyncError(
        'export_ambiguous',
        `A 1:1 export has two authors, this one has ${authors.length}; say which is the account owner (--me NAME).`,
        { option: 'me', authors: authors.slice(0, 50) },
      );
    }
  }
  const partnerName = others.length === 1 ? others[0] : undefined;
  if (chatWith === undefined && others.length === 1 && partnerName !== undefined) {
    chatWith = byAuthor.get(partnerName)?.phone;
    if (chatWith === undefined) {
      throw new WasyncError(
        'export_ambiguous',
        `The export looks like a 1:1 chat with ${JSON.stringify(partnerName)}; pass their phone (--chat-with PHONE).`,
        { option: 'chatWith', partner: partnerName },
      );
    }
  }
  if (chatWith !== undefined) {
    const partner: PartyRef = {
      phone: chatWith,
      name: partnerName && !byAuthor.has(partnerName) ? partnerName : undefined,
    };
    if (partnerName !== undefined) byAuthor.set(partnerName, partner);
    return {
      chat: { kind: 'direct', partner },
      chatKey: `direct:${chatWith}`,
      title: undefined,
      me,
      byAuthor,
    };
  }
  const title = options.chatName ?? source.chatName ?? 'WhatsApp chat export';
  const groupKey = `export:${title.normalize('NFC').trim().toLowerCase()}`;
  return {
    chat: { kind: 'group', groupKey, title, participants: [] },
    chatKey: groupKey,
    title,
    me,
    byAuthor,
  };
}

function toMessage(
  m: RawMessage,
  context: {
    sourceId: string;
    sentAt: number;
    localText: string;
    parties: Parties;
    blobs: Map<string, StoredBlob>;
    summary: ImportSummary;
  },
): IngestMessage {
  const { parties, summary } = context;
  const meaning = classify(m.text);
  const system = isSystemLine(m, meaning.kind, m.text);
  const fromMe = !system && m.author !== undefined && m.author === parties.me;
  const sender = system || fromMe || m.author === undefined ? undefined : parties.byAuthor.get(m.author);
  const message: IngestMessage = {
    kind: 'message',
    sourceId: context.sourceId,
    chat: parties.chat,
    sender,
    senderName: system || fromMe || sender ? undefined : m.author,
    fromMe,
    sentAt: context.sentAt,
    type: 'text',
    text: m.text,
    replyTo: undefined,
    details: undefined,
    media: undefined,
    raw: { line: m.line, local: context.localText, author: m.author ?? null, text: m.text },
  };
  if (system) {
    summary.messages.system++;
    return { ...message, type: 'system', details: m.author ? { chatName: m.author } : undefined };
  }
  switch (meaning.kind) {
    case 'omitted':
      summary.media.omitted++;
      return { ...message, type: meaning.type, text: meaning.caption, details: { mediaOmitted: true } };
    case 'attached': {
      const blob = context.blobs.get(meaning.fileName);
      const details = { attachment: meaning.fileName, ...(blob ? {} : { mediaMissing: true }) };
      if (blob) summary.media.found++;
      else summary.media.missing++;
      return {
        ...message,
        type: meaning.type,
        text: meaning.caption,
        details,
        media: blob && {
          kind: 'blob',
          sha256: blob.sha256,
          sizeBytes: blob.sizeBytes,
          mimeType: mimeTypeOf(meaning.fileName),
          fileName: meaning.fileName,
        },
      };
    }
    case 'location': {
      const q = /[?&]q=(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/.exec(meaning.url);
      const location = q
        ? { latitude: Number(q[1]), longitude: Number(q[2]), url: meaning.url }
        : { url: meaning.url };
      return { ...message, type: 'location', details: { location } };
    }
    case 'deleted':
      return { ...message, details: { deleted: true } };
    default:
      return message;
  }
}
