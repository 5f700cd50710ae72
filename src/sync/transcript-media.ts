/**
 * Attachments in a transcript: the line that mentions a file, and the entry the CRM writers upload.
 */
import type { MediaInfo, MediaState, Message, MessageType } from '../core/model.js';
import { singleLine } from './transcript-text.js';
import type { LocalTime } from './transcript-time.js';

export interface TranscriptAttachment {
  mediaId: string;
  /** The file's own name, or one made up from its kind and time, so an upload always has a name. */
  fileName: string;
  mimeType: string | undefined;
  sizeBytes: number | undefined;
  /** Content address of the bytes in the blob store, once stored. */
  sha256: string | undefined;
  senderName: string;
  sentAt: Date;
  /** Local `HH:mm` of sentAt, as the transcript's lines show it. */
  time: string;
  /** Source id of the message that carries the file. */
  sourceMessageId: string;
  /** Only `stored` media can be uploaded; the transcript marks the others "(not available)". */
  state: MediaState;
}

const MEDIA_TYPES: ReadonlySet<MessageType> = new Set([
  'image',
  'video',
  'audio',
  'voice',
  'document',
  'sticker',
]);

/** Types that stand for a file, whether or not the file itself reached wasync. */
export function isMediaType(type: MessageType): boolean {
  return MEDIA_TYPES.has(type);
}

/** `📎 quote.pdf (application/pdf, 1.2 MB) from Ana`, or `📎 Photo from Ana (not available)` without media. */
export function mediaLine(options: {
  media: MediaInfo | undefined;
  /** What kind of file it is ("Photo", "Voice message"), for files without a name of their own. */
  label: string;
  /** Documents are known by their name; other kinds keep the label in front of it. */
  isDocument: boolean;
  senderName: string;
}): string {
  const { media, label, isDocument, senderName } = options;
  const fileName = media?.fileName === undefined ? '' : singleLine(media.fileName);
  const shown = fileName === '' ? label : isDocument ? fileName : `${label}: ${fileName}`;
  const facts: string[] = [];
  // Parameters (`audio/ogg; codecs=opus`) are for software; a reader only needs the kind of file.
  const mimeType = singleLine(media?.mimeType?.split(';')[0] ?? '');
  if (mimeType !== '') facts.push(mimeType);
  const size = formatSize(media?.sizeBytes);
  if (size !== undefined) facts.push(size);
  const about = facts.length > 0 ? ` (${facts.join(', ')})` : '';
  const missing = media?.state === 'stored' ? '' : ' (not available)';
  return `📎 ${shown}${about} from ${senderName}${missing}`;
}

const UNITS = ['KB', 'MB', 'GB'] as const;

/** `512 B`, `1.2 MB`: binary multiples with one decimal, as phones and file managers show them. */
export function formatSize(bytes: number | undefined): string | undefined {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return undefined;
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  for (const [index, unit] of UNITS.entries()) {
    value /= 1024;
    // Decide on the rounded figure, so 1,048,575 bytes reads "1.0 MB" rather than "1024.0 KB".
    if (Math.round(value * 10) / 10 < 1024 || index === UNITS.length - 1)
      return `${value.toFixed(1)} ${unit}`;
  }
  return undefined;
}

export function toAttachment(options: {
  message: Message;
  media: MediaInfo;
  senderName: string;
  local: LocalTime;
}): TranscriptAttachment {
  const { message, media, senderName, local } = options;
  const own = media.fileName === undefined ? '' : singleLine(media.fileName);
  return {
    mediaId: media.id,
    fileName:
      own !== ''
        ? own
        : madeUpFileName(isMediaType(message.type) ? message.type : 'file', media.mimeType, local),
    mimeType: media.mimeType,
    sizeBytes: media.sizeBytes,
    sha256: media.sha256,
    senderName,
    sentAt: new Date(message.sentAt),
    time: local.time,
    sourceMessageId: message.sourceMessageId,
    state: media.state,
  };
}

/** WhatsApp's own export naming: `WhatsApp image 2026-11-20 at 09.15.42.jpg`. */
function madeUpFileName(kind: string, mimeType: string | undefined, local: LocalTime): string {
  const extension = extensionOf(mimeType);
  return `WhatsApp ${kind} ${local.day} at ${local.clock}${extension === undefined ? '' : `.${extension}`}`;
}

/** Subtypes whose name is not the extension people expect. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'video/3gpp': '3gp',
  'video/quicktime': 'mov',
  'text/plain': 'txt',
};

function extensionOf(mimeType: string | undefined): string | undefined {
  const essence = mimeType?.split(';')[0]?.trim().toLowerCase();
  if (!essence) return undefined;
  const known = EXTENSIONS[essence];
  if (known !== undefined) return known;
  // `image/png`, `audio/ogg`, `application/pdf`: the subtype is the extension. Long or odd subtypes
  // (`vnd.openxmlformats-…`) are left out rather than guessed.
  const subtype = essence.split('/')[1] ?? '';
  return /^[a-z0-9]{1,5}$/.test(subtype) ? subtype : undefined;
}
