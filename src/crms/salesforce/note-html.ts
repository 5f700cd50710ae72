/**
 * A chat-day as ContentNote HTML: the note's viewer strips newline characters and unsafe markup, so
 * each message is a `<p>`, continuation lines are `<br>`, the sender bold, links clickable.
 */
import { renderRich } from '../kit/transcript-render.js';
import type { TranscriptContent } from '../types.js';

export function noteHtml(content: TranscriptContent): string {
  return renderRich(content, {
    text: escapeHtml,
    link: (address) => `<a href="${escapeHtml(address)}">${escapeHtml(address)}</a>`,
    lineBreak: '<br>',
    header: (header) => `<p><b>${header}</b></p>`,
    block: (time, sender, body) => `<p>${time} <b>${sender}</b>: ${body}</p>`,
    separator: '',
  });
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
