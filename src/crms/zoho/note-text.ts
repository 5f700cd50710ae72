import { formatSize } from '../../sync/transcript-media.js';
import { dayMarker } from '../kit/day-marker.js';
import { renderText } from '../kit/transcript-render.js';
import type { DayTranscriptWrite, RefusedAttachment } from '../types.js';

/** A file of the day as it is in the record's Attachments. */
export interface AttachedFile {
  fileName: string;
  sizeBytes: number;
  senderName: string;
  /** Local `HH:mm`. */
  time: string;
}

/**
 * Note_Title's length (unverified: Zoho's field metadata for Notes is not in the v8 OAS; 120 is the
 * length of the Notes title field as the CRM's UI takes it). A longer header is cut, never refused.
 */
const TITLE_LENGTH = 120;

/**
 * The note of one chat-day, as a person reads it in the record's Notes (plain text, which is what
 * Note_Content holds): the transcript, the day's files with who sent them, when and how large, where
 * they are (the record's Attachments, linked), the files Zoho does not take and why, and the day's
 * marker, by which wasync finds the note again after an answer was lost.
 */
export function noteOf(
  write: DayTranscriptWrite,
  files: { attached: AttachedFile[]; recordUrl: string; maxBytes: number },
): { Note_Title: string; Note_Content: string } {
  const parts = [renderText(write.content)];
  const timeZoneDay = write.day;
  if (files.attached.length > 0) {
    parts.push(
      [
        `Files, in the Attachments of ${files.recordUrl}`,
        ...files.attached.map((file) => `📎 ${file.fileName} (${describe(file, timeZoneDay)})`),
      ].join('\n'),
    );
  }
  const refused = write.refusedAttachments ?? [];
  if (refused.length > 0) {
    parts.push(
      [
        'Files not attached',
        ...refused.map(
          (file) => `📎 ${file.fileName} (${describe(file, timeZoneDay)}): ${why(file, files.maxBytes)}`,
        ),
      ].join('\n'),
    );
  }
  parts.push(dayMarker(write.key));
  return {
    Note_Title: [...write.content.header].slice(0, TITLE_LENGTH).join(''),
    Note_Content: parts.join('\n\n'),
  };
}

/** `from Ana, 2026-11-20 10:31, 1.2 MB`. */
function describe(file: AttachedFile, day: string): string {
  return [`from ${file.senderName}`, `${day} ${file.time}`, formatSize(file.sizeBytes)]
    .filter(Boolean)
    .join(', ');
}

function why(_file: RefusedAttachment, maxBytes: number): string {
  return `larger than the ${formatSize(maxBytes)} Zoho CRM takes per file`;
}
