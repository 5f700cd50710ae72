/**
 * A chat-day as the text of a Bitrix24 timeline comment. COMMENT is a string the timeline shows with
 * BBCode (`[B]`, `[URL=…]`: the crm-apis notes §3.4, "bb-codes ok"; unverified in the REST docs, which
 * only call it the "Comment text", crm-timeline-comment-fields.md), its line breaks kept.
 */
import { formatSize } from '../../sync/transcript-media.js';
import { dayMarker } from '../kit/day-marker.js';
import { renderRich } from '../kit/transcript-render.js';
import type { DayTranscriptWrite, TranscriptContent } from '../types.js';

/**
 * The BBCode tags a portal's texts read (the common set, and Bitrix24's own `[USER=…]`, `[DISK FILE
 * ID=…]`, `[CHAT=…]` and the like: unverified, the REST docs do not list them), case-insensitive.
 */
const TAG =
  /\[(?=\/?(?:b|i|u|s|url|img|quote|code|list|\*|color|size|font|user|table|tr|td|th|p|left|right|center|justify|video|spoiler|icon|disk|hr|br|sup|sub|chat|dialog|send|put|call|context|background|timestamp)(?=[\]=\s]))/gi;

/**
 * BBCode has no escape: text a person typed that reads as a tag (`[b]`, `[/url]`, `[*]`) would be
 * markup, so the bracket that opens it is written as a full-width bracket. Other brackets (`[1]`,
 * `[note]`, `[ ]`) stay as they were.
 */
export function bbText(value: string): string {
  return value.replace(TAG, '［');
}

/** `[URL=…]label[/URL]`; a `]` in the address would end the tag, so it goes percent-encoded. */
export function bbLink(address: string, label = address): string {
  return `[URL=${address.replace(/]/g, '%5D')}]${bbText(label)}[/URL]`;
}

/** The header bold, then `HH:mm [B]Sender[/B]: text` a message, links clickable. */
export function renderBbcode(content: TranscriptContent): string {
  return renderRich(content, {
    text: bbText,
    link: (address) => bbLink(address),
    lineBreak: '\n',
    header: (header) => `[B]${header}[/B]\n`,
    block: (time, sender, body) => `${time} [B]${sender}[/B]: ${body}`,
    separator: '\n',
  });
}

/** A file of the day as the comment lists it. */
export interface CommentFile {
  fileName: string;
  sizeBytes: number;
  senderName: string;
  /** Local `HH:mm`. */
  time: string;
  /** On the comment itself (`FILES`), or on Disk at `url` (too large to go inline). */
  where: { onComment: true } | { onComment: false; url: string };
}

/**
 * The comment of one chat-day: the transcript, the day's files with who sent them, when and how large
 * and where they are (on this comment, or on the portal's Drive, linked), the files wasync does not
 * carry and why, and the day's marker on the last line, by which wasync finds the comment again after
 * an answer was lost.
 */
export function commentOf(
  write: DayTranscriptWrite,
  files: { files: readonly CommentFile[]; maxBytes: number },
): string {
  const parts = [renderBbcode(write.content)];
  if (files.files.length > 0) {
    parts.push(
      [
        '[B]Files[/B]',
        ...files.files.map((file) => {
          const line = `📎 ${bbText(file.fileName)} (${describe(file, write.day)})`;
          return file.where.onComment
            ? `${line}: attached to this comment`
            : `${line}: ${bbLink(file.where.url, 'open on Drive')}`;
        }),
      ].join('\n'),
    );
  }
  const refused = write.refusedAttachments ?? [];
  if (refused.length > 0) {
    parts.push(
      [
        '[B]Files not attached[/B]',
        ...refused.map(
          (file) =>
            `📎 ${bbText(file.fileName)} (${describe(file, write.day)}): larger than the ${formatSize(files.maxBytes)} wasync puts on Bitrix24 per file`,
        ),
      ].join('\n'),
    );
  }
  parts.push(dayMarker(write.key));
  return parts.join('\n\n');
}

/** `from Ana, 2026-11-20 10:31, 1.2 MB`. */
function describe(file: { senderName: string; time: string; sizeBytes: number }, day: string): string {
  return [`from ${bbText(file.senderName)}`, `${day} ${file.time}`, formatSize(file.sizeBytes)]
    .filter(Boolean)
    .join(', ');
}
