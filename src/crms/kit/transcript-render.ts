/**
 * Shared rendering of a chat-day (TranscriptContent) for destinations: the plain-text form every CRM
 * can hold, and the walk over a line's pieces that a rich format (note HTML, BBCode) plugs its
 * escaping and link markup into. A destination's own format lives in its folder and is built from
 * these, so every CRM's note says the same thing.
 */
import type { TranscriptBlock, TranscriptContent, TranscriptLine } from '../types.js';

/**
 * Continuation lines are indented by the width of `HH:mm `, so no text a person types can start a line
 * that passes for another message.
 */
const INDENT = ' '.repeat('00:00 '.length);

/** The header, a blank line, then `HH:mm Sender: text` per message with indented continuation lines. */
export function renderText(content: TranscriptContent): string {
  const lines = [content.header, ''];
  for (const block of content.blocks) {
    const [first = [], ...rest] = block.lines;
    lines.push(`${block.time} ${block.sender}: ${plainLine(first)}`.trimEnd());
    for (const line of rest) {
      const text = plainLine(line);
      lines.push(text === '' ? '' : INDENT + text);
    }
  }
  return lines.join('\n');
}

/** A line as plain text: links as their address. */
export function plainLine(line: TranscriptLine): string {
  return line.map((piece) => (typeof piece === 'string' ? piece : piece.link)).join('');
}

/** How a rich format writes text, a link, a sender's name and a block. */
export interface RichFormat {
  text(value: string): string;
  link(address: string): string;
  /** The line break inside a block. */
  lineBreak: string;
  header(escaped: string): string;
  block(time: string, sender: string, body: string): string;
  /** What joins the header and the blocks. */
  separator: string;
}

/** Renders content in a rich format: every piece escaped by it, links marked up by it. */
export function renderRich(content: TranscriptContent, format: RichFormat): string {
  const line = (pieces: TranscriptLine) =>
    pieces
      .map((piece) => (typeof piece === 'string' ? format.text(piece) : format.link(piece.link)))
      .join('');
  const blocks = content.blocks.map((block: TranscriptBlock) =>
    format.block(
      format.text(block.time),
      format.text(block.sender),
      block.lines.map(line).join(format.lineBreak),
    ),
  );
  return [format.header(format.text(content.header)), ...blocks].join(format.separator);
}
