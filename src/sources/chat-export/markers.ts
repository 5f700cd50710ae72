import type { MessageType } from '../../core/model.js';
import { LANGUAGES, LOCALES } from './locales.js';

/**
 * What a message's text means beyond words: media left out of the export, a file attached to it, a
 * location, a deleted message. WhatsApp localizes these markers; the tables (locales.ts) cover
 * English, German, Spanish, Portuguese, French, Italian, Dutch, Turkish, Russian, Indonesian and
 * Arabic, and the iOS attached-file form is read in any language (`<word: NAME.ext>`).
 */
export type Classified =
  | { kind: 'text'; text: string }
  | { kind: 'omitted'; type: MessageType; caption: string | undefined }
  | { kind: 'attached'; type: MessageType; fileName: string; caption: string | undefined }
  | { kind: 'location'; url: string; text: string }
  | { kind: 'deleted'; text: string };

const locales = LANGUAGES.map((language) => LOCALES[language]);

/** Android's `<Media omitted>` and its translations (lower case, without the angle brackets). */
const ANDROID_OMITTED = new Set(locales.flatMap((l) => l.mediaOmitted));

/** iOS `image omitted` and friends: the words for each kind, in each language. */
const IOS_OMITTED = new Map<string, MessageType>();
for (const locale of locales) {
  for (const [type, words] of locale.omitted) for (const word of words) IOS_OMITTED.set(word, type);
}

/** iOS `<attached: NAME>` words (any `<word: file.ext>` is accepted). */
const IOS_ATTACHED = /^<\s*([^<>:]{1,30}?)\s*:\s*([^<>]+?\.[\w]{1,6})\s*>$/u;
/** Android `NAME (file attached)` and its translations. */
const ANDROID_ATTACHED_WORDS = new Set(locales.flatMap((l) => l.fileAttached));
/** The file name of an Android `NAME (file attached)` line. */
const FILE_NAME = /^\S.*\.\w{1,6}$/u;
const DOCUMENT_OMITTED = locales.flatMap((l) => l.omitted.find(([type]) => type === 'document')?.[1] ?? []);
const INLINE_ATTACHED = /<\s*[^<>:]{1,30}?\s*:\s*([^<>]+?\.[\w]{1,6})\s*>$/u;
const LOCATION = new RegExp(
  `^(?:${locales.flatMap((l) => l.location).join('|')})?:? ?(https:\\/\\/maps\\.google\\.com\\/\\?q=\\S+|https:\\/\\/foursquare\\.com\\/\\S+)$`,
  'iu',
);
const DELETED = new Set(locales.flatMap((l) => l.deleted.flatMap((p) => [p, `${p}.`])));

/**
 * Whether a message's first line could name an attached file (every attachment marker ends with `>` or
 * `)`): the scan pass classifies only those, and marked (iOS system) lines.
 */
export function mayNameAFile(firstLine: string): boolean {
  let i = firstLine.length - 1;
  while (i >= 0 && firstLine.charCodeAt(i) <= 0x20) i--;
  const last = firstLine.charCodeAt(i);
  return last === 0x3e || last === 0x29;
}

/**
 * The last three letters (lower case, a final "." dropped) of every phrase that is a marker by itself or
 * ends one: a first line that ends otherwise, and holds no link and no `>` or `)` at its end, is text.
 */
const PHRASE_ENDINGS = new Set(
  [...IOS_OMITTED.keys(), ...DELETED, ...DOCUMENT_OMITTED].map((phrase) => ending(phrase)),
);

function ending(line: string): string {
  const trimmed = line.trimEnd();
  const end = trimmed.charCodeAt(trimmed.length - 1) === 0x2e /* . */ ? trimmed.length - 1 : trimmed.length;
  return trimmed.slice(Math.max(0, end - 3), end).toLowerCase();
}

export function classify(text: string): Classified {
  const newline = text.indexOf('\n');
  const firstLine = newline < 0 ? text : text.slice(0, newline);
  // Most messages are plain text. A marker is one of three shapes, told apart by the end of the first
  // line: a file (`>` or `)`), a whole-line phrase (its last letters), or a map link.
  const file = mayNameAFile(firstLine);
  const phrase = !file && PHRASE_ENDINGS.has(ending(firstLine));
  const link = newline < 0 && firstLine.includes('https://');
  if (!file && !phrase && !link) return { kind: 'text', text };
  const first = firstLine.trim();
  if (first.length > 300) return { kind: 'text', text };
  const caption = newline < 0 ? undefined : text.slice(newline + 1) || undefined;
  if (file) {
    const last = first.charCodeAt(first.length - 1);
    if (last === 0x3e /* > */) {
      if (first.charCodeAt(0) === 0x3c /* < */) {
        if (ANDROID_OMITTED.has(first.slice(1, -1).trim().toLowerCase())) {
          return { kind: 'omitted', type: 'unsupported', caption };
        }
        const attached = IOS_ATTACHED.exec(first);
        if (attached?.[2]) return attachedFile(attached[2], caption);
      }
      // iOS documents with a caption before the marker: "Some file.txt <attached: 00000046-Some file.txt>".
      const inline = INLINE_ATTACHED.exec(first);
      if (inline?.[1] && inline.index > 0) return attachedFile(inline[1], caption);
    } else {
      // Android: the words are the last parenthesized group; the file name is all before it.
      const open = first.lastIndexOf(' (');
      if (open > 0 && ANDROID_ATTACHED_WORDS.has(first.slice(open + 2, -1).toLowerCase())) {
        const name = first.slice(0, open);
        if (FILE_NAME.test(name)) return attachedFile(name, caption);
      }
    }
  }
  if (phrase) {
    const lower = first.toLowerCase();
    const iosType = IOS_OMITTED.get(lower);
    if (iosType !== undefined) return { kind: 'omitted', type: iosType, caption };
    // iOS documents: "Report.pdf • 3 pages document omitted".
    if (DOCUMENT_OMITTED.some((words) => lower.endsWith(words))) {
      return { kind: 'omitted', type: 'document', caption };
    }
    if (DELETED.has(lower)) return { kind: 'deleted', text };
  }
  if (link) {
    const location = LOCATION.exec(first);
    if (location?.[1]) return { kind: 'location', url: location[1], text };
  }
  return { kind: 'text', text };
}

function attachedFile(fileName: string, caption: string | undefined): Classified {
  return { kind: 'attached', type: mediaType(fileName), fileName: fileName.trim(), caption };
}

/** The message type a WhatsApp media file name implies (IMG-…, 00000012-PHOTO-…, PTT-…, and so on). */
export function mediaType(fileName: string): MessageType {
  const name = fileName.toUpperCase();
  if (/(^|-)(PTT)-/.test(name) || name.endsWith('.OPUS')) return 'voice';
  if (/^(IMG-|\d+-PHOTO-)/.test(name) || /\.(JPE?G|PNG|HEIC|WEBP_)$/.test(name)) return 'image';
  if (/^(STK-|\d+-STICKER-)/.test(name) || name.endsWith('.WEBP')) return 'sticker';
  if (/^(VID-|\d+-VIDEO-|\d+-GIF-)/.test(name) || /\.(MP4|MOV|3GP)$/.test(name)) return 'video';
  if (/^(AUD-|\d+-AUDIO-)/.test(name) || /\.(M4A|MP3|AAC|OGG|WAV)$/.test(name)) return 'audio';
  return 'document';
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  wav: 'audio/wav',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
  txt: 'text/plain',
};

export function mimeTypeOf(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? undefined : MIME[fileName.slice(dot + 1).toLowerCase()];
}
