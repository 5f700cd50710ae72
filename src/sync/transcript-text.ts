/**
 * Cleaning user text for a transcript. Everything a person typed (messages, names, file names) is
 * untrusted: a newline in a name could forge a transcript line, a control character can make a CRM
 * refuse the whole note.
 */

/** Control characters other than tab and newline; none has a visible meaning in a note. */
const CONTROL = /(?![\t\n])\p{Cc}/gu;
/** CRLF, CR and the Unicode line and paragraph separators all end a line. */
const LINE_BREAK = /\r\n?|[\u2028\u2029]/g;

/** The text's lines, trailing blanks and empty first and last lines removed; `[]` for blank text. */
export function textLines(text: string): string[] {
  const lines = text
    .replace(LINE_BREAK, '\n')
    .replace(CONTROL, '')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Text that must stay on one line (names, file names, quotes): every run of whitespace becomes a space. */
export function singleLine(text: string): string {
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The first `limit` characters and an ellipsis when there were more. Counted in graphemes, so an emoji
 * or an accented letter is never cut in half.
 */
export function truncate(text: string, limit: number): string {
  const kept: string[] = [];
  for (const { segment } of graphemes.segment(text)) {
    if (kept.length === limit) return `${kept.join('').trimEnd()}…`;
    kept.push(segment);
  }
  return text;
}
