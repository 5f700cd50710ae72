import type { MessageType } from '../core/model.js';
import type { PartyRef } from '../core/party.js';

/**
 * What every source hands the ingest pipeline: already validated, parties parsed, times in epoch
 * milliseconds. A source's own payload shape never reaches past its folder; this is the contract.
 */
export type IngestItem = IngestMessage | IngestEvent;

export type IngestChat =
  | { kind: 'direct'; partner: PartyRef }
  | { kind: 'group'; groupKey: string; title: string | undefined; participants: PartyRef[] };

export type IngestMedia =
  | { kind: 'bytes'; bytes: Uint8Array; mimeType: string | undefined; fileName: string | undefined }
  | { kind: 'url'; url: string; mimeType: string | undefined; fileName: string | undefined }
  /** Bytes a source already streamed into the blob store (a chat export's zip, say). */
  | {
      kind: 'blob';
      sha256: string;
      sizeBytes: number;
      mimeType: string | undefined;
      fileName: string | undefined;
    };

export interface IngestMessage {
  kind: 'message';
  /** The source's id for the message; unique per account, the idempotency key. */
  sourceId: string;
  chat: IngestChat;
  /** Who wrote it; undefined when fromMe. For an inbound direct message, the chat partner. */
  sender: PartyRef | undefined;
  /** The author's display name when the source knows no phone or id for them (chat exports). */
  senderName?: string | undefined;
  fromMe: boolean;
  sentAt: number;
  type: MessageType;
  text: string | undefined;
  replyTo: string | undefined;
  details: Record<string, unknown> | undefined;
  media: IngestMedia | undefined;
  /** The source's original payload, kept verbatim so a message can be re-read later. */
  raw: unknown;
}

export interface IngestEvent {
  kind: 'edit' | 'delete' | 'reaction';
  /** The source's id for the event; unique per account, the idempotency key. */
  sourceId: string;
  /** Source id of the message the event changes. */
  target: string;
  sender: PartyRef | undefined;
  fromMe: boolean;
  occurredAt: number;
  /** New text of an edit. */
  text: string | undefined;
  /** Reaction emoji; empty string removes the reaction. */
  emoji: string | undefined;
  raw: unknown;
}

export interface IngestResult {
  received: number;
  stored: { messages: number; events: number };
  duplicates: { messages: number; events: number };
  /** Left out because a tombstone holds the person's number (they were erased): never stored. */
  dropped: { messages: number; events: number };
  /** The chats the batch's messages are in (new or stored before), each with its earliest message's time. */
  chats: { id: string; firstSentAt: number }[];
}
