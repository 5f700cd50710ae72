/**
 * A chat-day's structured content for destination tests: a header and one block per `[time, sender,
 * text]`, each text a single line (split on newlines into continuation lines).
 */
import type { TranscriptContent } from '../../src/crms/types.js';

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
