/**
 * The two written forms of a day: plain text for CRMs whose notes are plain text (Zoho, Bitrix24),
 * and HTML for Salesforce ContentNote, whose viewer strips newline characters and unsafe markup.
 * Both are written from the same blocks, so they cannot say different things.
 */

/** A piece of a transcript line: text, or a link the HTML form makes clickable. */
export type Inline = string | { link: string };
export type Line = Inline[];

export interface MessageBlock {
  /** Local `HH:mm`. */
  time: string;
  sender: string;
  /** At least one line; the first follows the sender's name, the rest are continuation lines. */
  lines: Line[];
}

/**
 * Continuation lines are indented by the width of `HH:mm `, so no text a person types can start a line
 * that passes for another message.
 */
const INDENT = ' '.repeat('00:00 '.length);

export function transcriptText(header: string, blocks: readonly MessageBlock[]): string {
  const lines = [header, ''];
  for (const block of blocks) {
    const [first = [], ...rest] = block.lines;
    lines.push(`${block.time} ${block.sender}: ${plain(first)}`.trimEnd());
    for (const line of rest) {
      const text = plain(line);
      lines.push(text === '' ? '' : INDENT + text);
    }
  }
  return lines.join('\n');
}

export function transcriptHtml(header: string, blocks: readonly MessageBlock[]): string {
  const paragraphs = [`<p><b>${escapeHtml(header)}</b></p>`];
  for (const block of blocks) {
    const body = block.lines.map(html).join('<br>');
    paragraphs.push(`<p>${escapeHtml(block.time)} <b>${escapeHtml(block.sender)}</b>: ${body}</p>`);
  }
  return paragraphs.join('');
}

function plain(line: Line): string {
  return line.map((piece) => (typeof piece === 'string' ? piece : piece.link)).join('');
}

function html(line: Line): string {
  return line
    .map((piece) =>
      typeof piece === 'string'
        ? escapeHtml(piece)
        : `<a href="${escapeHtml(piece.link)}">${escapeHtml(piece.link)}</a>`,
    )
    .join('');
}

/**
 * ContentNote's Content must have the special characters of its plain text escaped (Object Reference,
 * ContentNote: "Any special characters within plain text in the Content field must be escaped"). Inserts
 * are reported to fail on named entities other than the XML ones, `&apos;` included (D. Reed, "Importing
 * Notes in Salesforce", and his DMRNoteAttachmentImporter: "Other entities, including &apos;, result in
 * an exception"), so both quotes go as numeric references, and `&amp;`, `&lt;`, `&gt;` are the only
 * named entities written.
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
  // Lines never hold newlines; if one slipped through, Salesforce would delete it and glue two words.
  '\n': ' ',
  '\r': ' ',
};

/**
 * The five XML special characters, escaped for ContentNote. Other characters stay as UTF-8: the note is
 * sent base64-encoded, so `é` needs no `&eacute;` (which an insert would refuse), and emoji have no
 * named entity anyway.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\r\n]/g, (char) => ENTITIES[char] ?? char);
}
