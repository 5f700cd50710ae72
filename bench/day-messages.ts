import type { IngestItem } from '../src/ingest/types.js';

/** A text message of a bench conversation, in a direct chat with `phone`, through the REST ingest's shape. */
export function message(id: string, phone: string, sentAt: number, fromMe: boolean): IngestItem {
  return {
    kind: 'message',
    sourceId: id,
    chat: { kind: 'direct', partner: { phone } },
    sender: fromMe ? undefined : { phone },
    fromMe,
    sentAt,
    type: 'text',
    text: `${fromMe ? 'Reply' : 'Question'} ${id}: is the blue one in stock, and when can it ship?`,
    replyTo: undefined,
    details: undefined,
    media: undefined,
    raw: {},
  };
}
