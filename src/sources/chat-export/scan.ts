/**
 * The first pass over an export, on bytes: it finds each message's date, author and whether its first
 * line could be a marker, without decoding the text. The import needs no more before it knows the
 * date order and who is who, and most lines of a chat are plain ASCII headers followed by text that
 * this pass never has to turn into strings.
 *
 * A line is read here only where the answer is sure to be the one ExportLineParser would give: a
 * header in plain ASCII, a text that is not marked and cannot name a file. Every other line that may
 * be a header (marks, odd spaces, non-ASCII AM/PM words, iOS media and system lines) is decoded and
 * read by parseHeader itself. A test holds the two passes to the same answers.
 */
import { ENCRYPTION_NOTICES, isEncryptionNotice } from './locales.js';
import { mayNameAFile } from './markers.js';
import { cleanAuthor, matchHeader, parseHeader, type RawMessage, settleClock } from './parser.js';
import { hasHighByte } from './text.js';

export interface ScannedMessage
  extends Pick<RawMessage, 'line' | 'date' | 'yearFirst' | 'separator' | 'author' | 'marked'> {
  /**
   * The message's first line when it may be a marker or a system notice (see needsFirstLine), as
   * RawMessage.text would begin; undefined for plain text.
   */
  firstLine: string | undefined;
}

/**
 * Whether the scan hands over a message's first line: it is marked (iOS media and system lines), has
 * no author (an Android system line), may name a file, or is the encryption notice.
 */
export function needsFirstLine(m: Pick<RawMessage, 'marked' | 'author'>, firstLine: string): boolean {
  return m.marked || m.author === undefined || mayNameAFile(firstLine) || isEncryptionNotice(firstLine);
}

/** The encryption notices in UTF-8, by their first byte. */
const NOTICES_BY_FIRST_BYTE: (Buffer[] | undefined)[] = new Array(256).fill(undefined);
for (const notice of ENCRYPTION_NOTICES.map((n) => Buffer.from(n))) {
  const first = notice[0] as number;
  NOTICES_BY_FIRST_BYTE[first] = [...(NOTICES_BY_FIRST_BYTE[first] ?? []), notice];
}

/**
 * No header in plain ASCII is longer: `[2020-12-31, ` + a word of four and `, ` + `12:34:56 ` + a
 * 12-character AM/PM word + `] ` (42 bytes). Longer ones hold other bytes and are decoded.
 */
const HEADER_MAX_BYTES = 48;

export class ExportScanner {
  private lineNumber = 0;

  constructor(private readonly onMessage: (message: ScannedMessage) => void) {}

  get lines(): number {
    return this.lineNumber;
  }

  /** Every line of a block of whole lines (see readLineBlocks). */
  pushBlock(block: Buffer): void {
    let start = 0;
    while (start < block.length) {
      let end = block.indexOf(0x0a, start);
      if (end < 0) end = block.length;
      this.push(block, start, end);
      start = end + 1;
    }
  }

  /** One line: bytes `start` to `end` of `buffer`, without its "\n". */
  push(buffer: Buffer, start: number, lineEnd: number): void {
    this.lineNumber++;
    const end = lineEnd > start && buffer[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    const first = buffer[start];
    if (first === undefined) return;
    // Marks before the header (a byte-order mark, a direction mark): the string parser's case.
    if (first >= 0x80) {
      this.decodeAndParse(buffer, start, end);
      return;
    }
    // Not a header: a continuation of the message before, which this pass does not need.
    if (!(first >= 0x30 && first <= 0x39) && first !== 0x5b /* [ */) return;
    const headEnd = Math.min(end, start + HEADER_MAX_BYTES);
    const head = buffer.toString('latin1', start, headEnd);
    const match = matchHeader(head);
    if (match === undefined) {
      // Plain ASCII that is no header is none for the string parser either; other bytes may be
      // marks or odd spaces it would normalize.
      if (hasHighByte(buffer, start, headEnd)) this.decodeAndParse(buffer, start, end);
      return;
    }
    if (hasHighByte(buffer, start, start + match.end)) {
      this.decodeAndParse(buffer, start, end);
      return;
    }
    if (settleClock(head, match) !== undefined) return;
    // Author: up to the first ": " (or a ":" that ends the line), as parseHeader reads it.
    const from = start + match.end;
    let colon = -1;
    for (let i = from; i < end - 1; i++) {
      if (buffer[i] === 0x3a && buffer[i + 1] === 0x20) {
        colon = i;
        break;
      }
    }
    // Without an author (an Android system line), the text is all after the header.
    let authorEnd = -1;
    let textStart = from;
    if (colon > from) {
      authorEnd = colon;
      textStart = colon + 2;
    } else if (end - from > 1 && buffer[end - 1] === 0x3a) {
      authorEnd = end - 1;
      textStart = end;
    }
    let author: string | undefined;
    if (authorEnd >= 0) {
      const raw = hasHighByte(buffer, from, authorEnd)
        ? buffer.toString('utf8', from, authorEnd)
        : buffer.toString('latin1', from, authorEnd);
      author = cleanAuthor(raw) || undefined;
    }
    // A system line (no author), a marked text (iOS media and system lines), one that may name a
    // file or be the encryption notice: read it as a string.
    if (
      author === undefined ||
      startsWithLeftToRightMark(buffer, textStart, end) ||
      endsLikeAFile(buffer, textStart, end) ||
      mayBeNotice(buffer, textStart, end)
    ) {
      this.decodeAndParse(buffer, start, end);
      return;
    }
    this.onMessage({
      line: this.lineNumber,
      date: match.date,
      yearFirst: match.yearFirst,
      separator: match.separator === 46 ? '.' : match.separator === 45 ? '-' : '/',
      author,
      marked: false,
      firstLine: undefined,
    });
  }

  private decodeAndParse(buffer: Buffer, start: number, end: number): void {
    const header = parseHeader(buffer.toString('utf8', start, end), this.lineNumber);
    if (header === undefined || typeof header === 'string') return;
    this.onMessage({
      line: header.line,
      date: header.date,
      yearFirst: header.yearFirst,
      separator: header.separator,
      author: header.author,
      marked: header.marked,
      firstLine: needsFirstLine(header, header.text) ? header.text : undefined,
    });
  }
}

/**
 * Whether a text may be the encryption notice as the string parser reads it: it begins with one, or
 * with a byte (0xE2, 0xEF) a mark the parser would remove may begin with.
 */
function mayBeNotice(buffer: Buffer, start: number, end: number): boolean {
  if (start >= end) return false;
  const first = buffer[start] as number;
  if (first === 0xe2 || first === 0xef) return true;
  const notices = NOTICES_BY_FIRST_BYTE[first];
  if (notices === undefined) return false;
  for (const notice of notices) {
    if (notice.length > end - start) continue;
    let i = 1;
    while (i < notice.length && notice[i] === buffer[start + i]) i++;
    if (i === notice.length) return true;
  }
  return false;
}

/** U+200E, how iOS flags media, system and deleted lines: E2 80 8E in UTF-8. */
function startsWithLeftToRightMark(buffer: Buffer, start: number, end: number): boolean {
  return (
    end - start >= 3 && buffer[start] === 0xe2 && buffer[start + 1] === 0x80 && buffer[start + 2] === 0x8e
  );
}

/**
 * mayNameAFile on bytes, for a text whose marks the string parser would remove first: the last
 * character that is neither a space nor a mark is `>` or `)`.
 */
function endsLikeAFile(buffer: Buffer, start: number, end: number): boolean {
  let i = end - 1;
  while (i >= start) {
    if ((buffer[i] as number) <= 0x20) i--;
    else if (i - 2 >= start && isMark(buffer[i - 2] as number, buffer[i - 1] as number, buffer[i] as number))
      i -= 3;
    else break;
  }
  return i >= start && (buffer[i] === 0x3e || buffer[i] === 0x29);
}

/** The marks the string parser removes from texts (U+200E/F, U+202A-E, U+2066-9, U+FEFF) in UTF-8. */
function isMark(a: number, b: number, c: number): boolean {
  if (a === 0xef) return b === 0xbb && c === 0xbf;
  if (a !== 0xe2) return false;
  if (b === 0x80) return c === 0x8e || c === 0x8f || (c >= 0xaa && c <= 0xae);
  return b === 0x81 && c >= 0xa6 && c <= 0xa9;
}
