/**
 * The line grammar of WhatsApp's "Export chat" text, Android and iOS layouts, any locale the header
 * regex can read. The parser is fed one line at a time and emits whole messages (continuation lines
 * joined with "\n"), so it never holds more than the message being read. Dates stay as written (three
 * numbers) until the date order of the whole file is known; see DateOrderDetector.
 */

export type DateOrder = 'dmy' | 'mdy' | 'ymd';
export const DATE_ORDERS: readonly DateOrder[] = ['dmy', 'mdy', 'ymd'];

export interface RawMessage {
  /** 1-based number of the message's first line. */
  line: number;
  /** The date's three numbers as written; `yearFirst` when the first has four digits. */
  date: [number, number, number];
  yearFirst: boolean;
  /** 24-hour clock, already resolved from AM/PM markers. */
  hour: number;
  minute: number;
  second: number;
  /** Undefined for a system line (Android writes those without an author). */
  author: string | undefined;
  /** Message text, continuation lines joined with "\n", invisible direction marks removed. */
  text: string;
  /** The text began with U+200E: how iOS flags media, system and deleted lines. */
  marked: boolean;
  /** Bracketed `[date, time]` header (iOS layout). */
  bracketed: boolean;
  /** The character between the date's numbers: `/`, `.` or `-`. */
  separator: DateSeparator;
}

export type DateSeparator = '/' | '.' | '-';

export type SkipReason = 'before_first_message' | 'invalid_time' | 'unknown_time_marker' | 'message_too_long';

/** Messages longer than this are cut: an export is text typed by people, not a place for files. */
export const MAX_MESSAGE_CHARS = 65_536;

/**
 * The header grammar, `[date, time]` or `date, time -` and then the rest of the line; the marker group
 * takes AM/PM words. A short word may stand between date and time (French `12/07/2025 à 11:00`,
 * Finnish `klo`, a `г.,` after a Russian or Bulgarian date). `matchHeader` is this regex written out by hand (every header of a file goes
 * through it, and the regex's nine captures cost more than the rest of the parse); a test holds the
 * two to the same answers.
 */
export const HEADER_GRAMMAR =
  /^(\[)?(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})\.?,? (?:[^\d\s,[\]-]{1,4},? )?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?: ?([^\d\s\]-][^\]-]{0,11}?))?(?:\] | - )/;

/** What matchHeader found: numbers as read, the marker as a range of the line. */
export interface HeaderMatch {
  /** Length of the whole header, separator included. */
  end: number;
  bracket: boolean;
  date: [number, number, number];
  /** The first number had four digits. */
  yearFirst: boolean;
  /** The character code after the first number (`/`, `.` or `-`). */
  separator: number;
  hour: number;
  minute: number;
  /** -1 when the time has no seconds. */
  second: number;
  /** Marker range, both -1 when there is none. */
  markerStart: number;
  markerEnd: number;
}

/**
 * Turns a matched header's clock into 24 hours (AM/PM words in the languages of AM and PM), seconds
 * into 0 when absent; or says why the line cannot be read.
 */
export function settleClock(head: string, match: HeaderMatch): SkipReason | undefined {
  if (match.second < 0) match.second = 0;
  if (match.markerStart >= 0) {
    const word = head.slice(match.markerStart, match.markerEnd).toLowerCase().replace(/[.\s]/g, '');
    const pm = PM.has(word);
    if (!pm && !AM.has(word)) return 'unknown_time_marker';
    if (match.hour > 12) return 'invalid_time';
    if (pm && match.hour < 12) match.hour += 12;
    else if (!pm && match.hour === 12) match.hour = 0;
  }
  if (match.hour > 23 || match.minute > 59 || match.second > 59) return 'invalid_time';
  return undefined;
}

/** HEADER_GRAMMAR.exec, by hand: the header at the start of `line`, or undefined. */
export function matchHeader(line: string): HeaderMatch | undefined {
  const m: HeaderMatch = {
    end: -1,
    bracket: false,
    date: [0, 0, 0],
    yearFirst: false,
    separator: 0,
    hour: 0,
    minute: 0,
    second: -1,
    markerStart: -1,
    markerEnd: -1,
  };
  let i = 0;
  if (line.charCodeAt(0) === 91 /* [ */) {
    m.bracket = true;
    i = 1;
  }
  // Date: 1-4, 1-2 and 1-4 digits, each pair split by one of . / -
  for (let part = 0; part < 3; part++) {
    if (part > 0) {
      if (!isDateSeparator(line.charCodeAt(i))) return undefined;
      if (part === 1) m.separator = line.charCodeAt(i);
      i++;
    }
    const start = i;
    let value = 0;
    while (i - start < (part === 1 ? 2 : 4) && isDigit(line.charCodeAt(i)))
      value = value * 10 + line.charCodeAt(i++) - 48;
    if (i === start) return undefined;
    m.date[part] = value;
    if (part === 0) m.yearFirst = i - start === 4;
  }
  if (line.charCodeAt(i) === 46 /* . */) i++;
  if (line.charCodeAt(i) === 44 /* , */) i++;
  if (line.charCodeAt(i) !== 32) return undefined;
  i++;
  // A word of one to four characters between date and time ("à", "klo", "г.,"), then a space.
  if (!isDigit(line.charCodeAt(i))) {
    const start = i;
    while (i - start < 4 && i < line.length && isWordChar(line.charCodeAt(i))) i++;
    if (i === start) return undefined;
    if (line.charCodeAt(i) === 44 /* , */) i++;
    if (line.charCodeAt(i) !== 32) return undefined;
    i++;
  }
  // Time: 1-2 digits, then : or . and two digits, then maybe seconds the same way.
  if (!isDigit(line.charCodeAt(i))) return undefined;
  m.hour = line.charCodeAt(i++) - 48;
  if (isDigit(line.charCodeAt(i))) m.hour = m.hour * 10 + line.charCodeAt(i++) - 48;
  const minute = twoDigitsAfterSeparator(line, i);
  if (minute < 0) return undefined;
  m.minute = minute;
  i += 3;
  const second = twoDigitsAfterSeparator(line, i);
  if (second >= 0 && endOfHeader(line, i + 3, m)) {
    m.second = second;
    return m;
  }
  // The regex backtracks to "no seconds" when the rest fails with them.
  return endOfHeader(line, i, m) ? m : undefined;
}

/** The optional marker (` ?` then a word of up to 12 characters, shortest first) and "] " or " - ". */
function endOfHeader(line: string, from: number, m: HeaderMatch): boolean {
  m.markerStart = -1;
  m.markerEnd = -1;
  const start = line.charCodeAt(from) === 32 ? from + 1 : from;
  const first = line.charCodeAt(start);
  if (start < line.length && !isDigit(first) && !isJsSpace(first) && first !== 93 && first !== 45) {
    for (let i = start + 1; i <= start + 12 && i < line.length; i++) {
      const end = separatorEnd(line, i);
      if (end > 0) {
        m.markerStart = start;
        m.markerEnd = i;
        m.end = end;
        return true;
      }
      const c = line.charCodeAt(i);
      if (c === 93 || c === 45) break;
    }
  }
  m.end = separatorEnd(line, from);
  return m.end > 0;
}

/** The end of "] " or " - " at `i`, or -1. */
function separatorEnd(line: string, i: number): number {
  const c = line.charCodeAt(i);
  if (c === 93 /* ] */ && line.charCodeAt(i + 1) === 32) return i + 2;
  if (c === 32 && line.charCodeAt(i + 1) === 45 /* - */ && line.charCodeAt(i + 2) === 32) return i + 3;
  return -1;
}

function twoDigitsAfterSeparator(line: string, i: number): number {
  const sep = line.charCodeAt(i);
  if (sep !== 58 /* : */ && sep !== 46 /* . */) return -1;
  const a = line.charCodeAt(i + 1);
  const b = line.charCodeAt(i + 2);
  return isDigit(a) && isDigit(b) ? (a - 48) * 10 + b - 48 : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** What the word between date and time may hold: no digit, space, comma, bracket or dash. */
function isWordChar(c: number): boolean {
  return !isDigit(c) && !isJsSpace(c) && c !== 44 && c !== 91 && c !== 93 && c !== 45;
}

function isDateSeparator(c: number): boolean {
  return c === 46 || c === 47 || c === 45;
}

/** What `\s` matches in a JavaScript regex. */
function isJsSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
/** Direction and embedding marks WhatsApp sprinkles into exports. */
const MARKS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const SPACES = /[\u202f\u00a0\u2009]/g;

const AM = new Set(['am', 'a', 'vorm', 'ص', '午前', '上午', 'πμ', 'fm', 'ap', 'öö', 'дп']);
const PM = new Set(['pm', 'p', 'nachm', 'م', '午後', '下午', 'μμ', 'em', 'ip', 'ös', 'пп']);

export class ExportLineParser {
  private current: RawMessage | undefined;
  private lineNumber = 0;
  private truncated = false;

  constructor(
    private readonly onMessage: (message: RawMessage) => void,
    private readonly onSkip: (reason: SkipReason, line: number) => void,
  ) {}

  get lines(): number {
    return this.lineNumber;
  }

  push(rawLine: string): void {
    this.lineNumber++;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const header = parseHeader(line, this.lineNumber);
    if (header === undefined) {
      // Not a header: the previous message goes on. Marks inside a continuation are just removed.
      if (hasMark(line, 0, line.length)) line = line.replace(MARKS, '');
      if (this.current === undefined) {
        if (line.trim() !== '') this.onSkip('before_first_message', this.lineNumber);
        return;
      }
      if (this.current.text.length + line.length + 1 > MAX_MESSAGE_CHARS) {
        if (!this.truncated) this.onSkip('message_too_long', this.lineNumber);
        this.truncated = true;
        return;
      }
      this.current.text += `\n${line}`;
      return;
    }
    this.flush();
    if (typeof header === 'string') {
      this.onSkip(header, this.lineNumber);
      return;
    }
    this.current = header;
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.current !== undefined) this.onMessage(this.current);
    this.current = undefined;
    this.truncated = false;
  }
}

/** A message header, a reason to skip a line that looks like one but cannot be read, or undefined. */
export function parseHeader(input: string, lineNumber: number): RawMessage | SkipReason | undefined {
  let line = input;
  const first = line.charCodeAt(0);
  // Fast path: a header starts with a digit (Arabic-Indic ones too), "[", or an invisible mark.
  if (!(first >= 48 && first <= 57) && first !== 91) {
    if (!hasMark(line, 0, 2) && !isArabicDigit(first)) return undefined;
    line = line.replace(/^[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]+/, '');
  }
  let head = line;
  // Most headers are plain ASCII and match as they are. Where marks or odd spaces stand in the header
  // (a narrow no-break space before "PM", a direction mark after "["), or keep it from matching, they
  // are normalized, in the header only: the text keeps them until it is classified.
  let match = matchHeader(head);
  if (match === undefined || hasMark(line, 0, match.end)) {
    // iOS headers are bracketed, Android ones end at " - ".
    const close = line.charCodeAt(0) === 91 ? line.indexOf(']') : -1;
    const dash = close > 0 ? -1 : line.indexOf(' - ');
    const headerEnd = close > 0 ? close + 1 : dash < 0 ? -1 : dash + 3;
    if (headerEnd < 0 || !(hasMark(line, 0, headerEnd) || hasArabicDigitOrComma(line, headerEnd))) {
      return undefined;
    }
    head = normalizeHeader(line.slice(0, headerEnd)) + line.slice(headerEnd);
    match = matchHeader(head);
    if (match === undefined) return undefined;
  }
  const invalid = settleClock(head, match);
  if (invalid !== undefined) return invalid;
  let rest = head.slice(match.end);
  // One look for marks over author and text together; most lines have none.
  const clean = !hasMark(rest, 0, rest.length);
  let author: string | undefined;
  const colon = rest.indexOf(': ');
  if (colon > 0) {
    author = rest.slice(0, colon);
    rest = rest.slice(colon + 2);
  } else if (rest.endsWith(':') && rest.length > 1) {
    author = rest.slice(0, -1);
    rest = '';
  }
  if (author !== undefined) author = cleanAuthor(author);
  const marked = !clean && rest.charCodeAt(0) === 0x200e;
  if (!clean && hasMark(rest, 0, rest.length)) rest = rest.replace(MARKS, '');
  return {
    line: lineNumber,
    date: match.date,
    yearFirst: match.yearFirst,
    hour: match.hour,
    minute: match.minute,
    second: match.second,
    author: author === '' ? undefined : author,
    text: rest.length > MAX_MESSAGE_CHARS ? rest.slice(0, MAX_MESSAGE_CHARS) : rest,
    marked,
    bracketed: match.bracket,
    separator: match.separator === 46 ? '.' : match.separator === 45 ? '-' : '/',
  };
}

/**
 * A header as the matcher reads it: marks removed, odd spaces made plain, Arabic-Indic digits (Arabic
 * and Persian exports) made ASCII and the Arabic comma a comma.
 */
function normalizeHeader(head: string): string {
  const plain = head.replace(SPACES, ' ').replace(MARKS, '');
  return hasArabicDigitOrComma(plain, plain.length)
    ? plain.replace(ARABIC, (c) => {
        const code = c.charCodeAt(0);
        return code === 0x60c ? ',' : String.fromCharCode(48 + (code >= 0x6f0 ? code - 0x6f0 : code - 0x660));
      })
    : plain;
}

const ARABIC = /[\u0660-\u0669\u06f0-\u06f9\u060c]/g;

function isArabicDigit(c: number): boolean {
  return (c >= 0x660 && c <= 0x669) || (c >= 0x6f0 && c <= 0x6f9);
}

function hasArabicDigitOrComma(line: string, to: number): boolean {
  for (let i = 0; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x60c || isArabicDigit(c)) return true;
  }
  return false;
}

/** Whether characters `from` to `to` hold a direction mark or an odd space. */
export function hasMark(line: string, from: number, to: number): boolean {
  const end = Math.min(to, line.length);
  for (let i = from; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c < 0xa0) continue;
    if (
      c === 0xa0 ||
      c === 0x2009 ||
      c === 0x200e ||
      c === 0x200f ||
      (c >= 0x202a && c <= 0x202f) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0xfeff
    ) {
      return true;
    }
  }
  return false;
}

/** An author as written, without marks, odd spaces, or the "~" of someone not in the address book. */
export function cleanAuthor(author: string): string {
  let name = hasMark(author, 0, author.length) ? author.replace(MARKS, '').replace(SPACES, ' ') : author;
  // Newer exports write people who are not in the address book as "~ Name".
  if (name.charCodeAt(0) === 0x7e /* ~ */) name = name.slice(1);
  // Most names need no trim: look at the ends before making a new string.
  const first = name.charCodeAt(0);
  const last = name.charCodeAt(name.length - 1);
  return first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80 ? name : name.trim();
}

/** What told the date order: the numbers of the dates, or the hints read when they do not. */
export type DateOrderSource = 'dates' | 'attachments' | 'separator' | 'language';

/**
 * Decides the date order of a file. The numbers come first: a first number above 12 means day first,
 * a second above 12 month first, four digits first year first; a file where both happen is not a
 * single export. Where no number tells, three hints are asked in turn:
 *
 * 1. attachment names carry the date the file was sent (`IMG-20250114-WA0003.jpg`,
 *    `00000012-PHOTO-2025-02-03-11-22-33.jpg`): the order that turns the message's date into it;
 * 2. dates written with dots: no locale writes the month first with dots;
 * 3. the language of the system notices and markers: every language but English writes the day
 *    first (English is en-US month first, en-GB day first, and cannot tell).
 *
 * Nothing tells: 'ambiguous', and the import needs an override.
 */
export class DateOrderDetector {
  private dayFirst = false;
  private monthFirst = false;
  private yearFirst = false;
  private other = false;
  private dotted = 0;
  private otherSeparator = 0;
  private attachmentDayFirst = 0;
  private attachmentMonthFirst = 0;
  private dayFirstLanguage = 0;
  private english = 0;

  observe(message: Pick<RawMessage, 'date' | 'yearFirst'> & { separator?: DateSeparator }): void {
    const [a, b] = message.date;
    if (message.yearFirst) this.yearFirst = true;
    else {
      this.other = true;
      if (a > 12) this.dayFirst = true;
      if (b > 12) this.monthFirst = true;
      if (message.separator === '.') this.dotted++;
      else if (message.separator !== undefined) this.otherSeparator++;
    }
  }

  /** A message that names an attached file: the file's name may hold the date it was sent. */
  observeAttachment(message: Pick<RawMessage, 'date' | 'yearFirst'>, fileName: string): void {
    if (message.yearFirst) return;
    const sent = dateInFileName(fileName);
    if (sent === undefined) return;
    const [a, b, c] = message.date;
    if (c !== sent.year && c !== sent.year % 100) return;
    if (a === b) return;
    if (a === sent.day && b === sent.month) this.attachmentDayFirst++;
    else if (a === sent.month && b === sent.day) this.attachmentMonthFirst++;
  }

  /** The language of a system notice or marker (see markers.ts languageOf). */
  observeLanguage(language: string): void {
    if (language === 'en') this.english++;
    else this.dayFirstLanguage++;
  }

  /** The order, 'ambiguous' when nothing tells, 'conflicting' when the dates contradict each other. */
  decide(): DateOrder | 'ambiguous' | 'conflicting' {
    return this.decision().order;
  }

  /** The order and what told it. */
  decision(): { order: DateOrder | 'ambiguous' | 'conflicting'; source: DateOrderSource | undefined } {
    const dates = (order: DateOrder | 'ambiguous' | 'conflicting') => ({ order, source: 'dates' as const });
    if (this.yearFirst && this.other) return dates('conflicting');
    if (this.yearFirst) return dates('ymd');
    if (this.dayFirst && this.monthFirst) return dates('conflicting');
    if (this.dayFirst) return dates('dmy');
    if (this.monthFirst) return dates('mdy');
    if (!this.other) return dates('dmy');
    if (this.attachmentDayFirst > 0 !== this.attachmentMonthFirst > 0) {
      return { order: this.attachmentDayFirst > 0 ? 'dmy' : 'mdy', source: 'attachments' };
    }
    if (this.dotted > 0 && this.otherSeparator === 0) return { order: 'dmy', source: 'separator' };
    if (this.dayFirstLanguage > 0 && this.english === 0) return { order: 'dmy', source: 'language' };
    return { order: 'ambiguous', source: undefined };
  }
}

/** WhatsApp media names: Android `IMG-20250114-WA0003.jpg`, iOS `00000012-PHOTO-2025-02-03-11-22-33.jpg`. */
const ANDROID_MEDIA_DATE = /^[A-Z]{3}-(\d{4})(\d{2})(\d{2})-WA\d/i;
const IOS_MEDIA_DATE = /(?:^|-)[A-Z]+-(\d{4})-(\d{2})-(\d{2})-\d{2}-\d{2}-\d{2}/i;

/** The date a WhatsApp media file name holds, if any. */
export function dateInFileName(fileName: string): { year: number; month: number; day: number } | undefined {
  const m = ANDROID_MEDIA_DATE.exec(fileName) ?? IOS_MEDIA_DATE.exec(fileName);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return { year, month, day };
}

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The message's wall-clock time under a date order, or undefined when the date does not exist. */
export function localDateTime(message: RawMessage, order: DateOrder): LocalDateTime | undefined {
  const [a, b, c] = message.date;
  let year: number;
  let month: number;
  let day: number;
  if (message.yearFirst) [year, month, day] = [a, b, c];
  else if (order === 'ymd') return undefined;
  else [year, month, day] = order === 'dmy' ? [c, b, a] : [c, a, b];
  if (year < 100) year += 2000;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return { year, month, day, hour: message.hour, minute: message.minute, second: message.second };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 31;
}

/** "00" to "99": every field but the year has two digits. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));

/** `YYYY-MM-DDTHH:mm:ss`, the wall-clock reading as the export wrote it. */
export function formatLocal(t: LocalDateTime): string {
  const year = String(t.year).padStart(4, '0');
  return `${year}-${TWO_DIGITS[t.month]}-${TWO_DIGITS[t.day]}T${TWO_DIGITS[t.hour]}:${TWO_DIGITS[t.minute]}:${TWO_DIGITS[t.second]}`;
}

const QUARTER_HOUR = 900_000;
const SIX_HOURS = 6 * 3_600_000;

/**
 * Converts wall-clock readings in one zone to epoch milliseconds. Offsets are read from Intl (which
 * knows each zone's history) and cached per six hours when the offset is the same at both ends of
 * them (no zone changes its offset twice within six hours), else per quarter hour.
 */
export class ZonedClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  private readonly spans = new Map<number, number | null>();
  private readonly utc: boolean;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      numberingSystem: 'latn',
    });
    this.utc = this.format.resolvedOptions().timeZone === 'UTC';
  }

  toEpoch(t: LocalDateTime): number {
    const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    // Two steps: the offset at the guess, then at the corrected instant (right across DST switches).
    const first = wall - this.offsetAt(wall);
    const offset = this.offsetAt(first);
    return wall - offset;
  }

  /** Zone offset (local minus UTC) in milliseconds at an instant. */
  private offsetAt(instant: number): number {
    if (this.utc) return 0;
    const span = Math.floor(instant / SIX_HOURS);
    let steady = this.spans.get(span);
    if (steady === undefined) {
      const first = this.quarterOffset(span * SIX_HOURS);
      const last = this.quarterOffset((span + 1) * SIX_HOURS - QUARTER_HOUR);
      steady = first === last ? first : null;
      if (this.spans.size > 10_000) this.spans.clear();
      this.spans.set(span, steady);
    }
    return steady ?? this.quarterOffset(instant);
  }

  private quarterOffset(instant: number): number {
    const bucket = Math.floor(instant / QUARTER_HOUR);
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const parts = this.format.formatToParts(new Date(bucket * 900_000));
    const get = (type: Intl.DateTimeFormatPartTypes) =>
      Number(parts.find((p) => p.type === type)?.value ?? 0);
    const local = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    const offset = local - bucket * 900_000;
    if (this.offsets.size > 10_000) this.offsets.clear();
    this.offsets.set(bucket, offset);
    return offset;
  }
}
