/**
 * A chat-day's structured content for destination tests: a header and one block per `[time, sender,
 * text]`, each text a single line (split on newlines into continuation lines).
 */
import type { DayTranscriptWrite, InlineAttachment, TranscriptContent } from '../../src/crms/types.js';

export function dayContent(header: string, ...messages: [string, string, string][]): TranscriptContent {
  return {
    header,
    blocks: messages.map(([time, sender, text]) => ({
      time,
      sender,
      lines: text.split('\n').map((line) => [line]),
    })),
  };
}

/** A one-message day (2026-11-20, from Ana at 12:00) on a contact, under `key`. */
export function contactDay(recordId: string, key: string, text: string): DayTranscriptWrite {
  const at = new Date('2026-11-20T12:00:00Z');
  return {
    record: { type: 'contact', id: recordId },
    key,
    day: '2026-11-20',
    chat: { kind: 'direct', title: undefined },
    content: dayContent('WhatsApp 2026-11-20', ['12:00', 'Ana', text]),
    messageCount: 1,
    firstMessageAt: at,
    lastMessageAt: at,
    attachments: [],
  };
}

/** A three-byte photo of Ana's, as the engine hands a day's file to an inline destination. */
export function inlinePhoto(): InlineAttachment {
  return {
    key: 'media-1:ana',
    fileName: 'photo.jpg',
    mimeType: 'image/jpeg',
    sizeBytes: 3,
    senderName: 'Ana',
    time: '10:00',
    async *open() {
      yield new Uint8Array([1, 2, 3]);
    },
  };
}
