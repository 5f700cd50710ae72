import type { z } from 'zod';
import type { MessageType } from '../../core/model.js';
import type { PartyRef } from '../../core/party.js';
import { type CountryCode, normalizePhone } from '../../core/phone.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { IngestEvent, IngestItem, IngestMedia, IngestMessage } from '../../ingest/types.js';
import {
  type DeleteItemInput,
  type EditItemInput,
  ITEM_SCHEMAS,
  type MessageItemInput,
  type PartyInput,
  type ReactionItemInput,
} from './schema.js';

/** Stable per-item error codes of the REST ingest (docs/errors.md). */
export const ITEM_ERROR_CODES = [
  'invalid_item',
  'missing_field',
  'invalid_field',
  'unknown_field',
  'invalid_phone',
  'invalid_whatsapp_id',
  'invalid_timestamp',
  'invalid_media',
  'media_too_large',
  'duplicate_id',
] as const;
export type ItemErrorCode = (typeof ITEM_ERROR_CODES)[number];

export interface ItemError {
  index: number;
  id: string | undefined;
  code: ItemErrorCode;
  field: string | undefined;
  message: string;
}

export interface ParseContext {
  defaultRegion: CountryCode | undefined;
  mediaMaxBytes: number;
  now: number;
}

export type BatchParse = { ok: true; items: IngestItem[] } | { ok: false; errors: ItemError[] };

/** WhatsApp launched in 2009; anything earlier is a unit mistake (milliseconds sent as seconds, say). */
const EARLIEST = Date.UTC(2009, 0, 1);
const FUTURE_SLACK_MS = 24 * 3_600_000;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

class ItemProblem extends Error {
  constructor(
    readonly code: ItemErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Validates a whole batch; any invalid item fails the batch, and every problem is reported. */
export function parseBatch(items: readonly unknown[], context: ParseContext): BatchParse {
  const errors: ItemError[] = [];
  const parsed: IngestItem[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const result = parseItem(item, index, context);
    if ('errors' in result) {
      errors.push(...result.errors);
      return;
    }
    const key = `${result.item.kind === 'message' ? 'm' : 'e'}:${result.item.sourceId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        index,
        id: result.item.sourceId,
        code: 'duplicate_id',
        field: 'id',
        message: `id repeats item ${first} of this batch`,
      });
      return;
    }
    seen.set(key, index);
    parsed.push(result.item);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, items: parsed };
}

function parseItem(
  item: unknown,
  index: number,
  context: ParseContext,
): { item: IngestItem } | { errors: ItemError[] } {
  const id = isRecord(item) && typeof item.id === 'string' ? item.id : undefined;
  if (!isRecord(item)) {
    return {
      errors: [
        { index, id, code: 'invalid_item', field: undefined, message: 'each item must be a JSON object' },
      ],
    };
  }
  const kind = item.kind ?? 'message';
  if (typeof kind !== 'string' || !(kind in ITEM_SCHEMAS)) {
    return {
      errors: [
        {
          index,
          id,
          code: 'invalid_field',
          field: 'kind',
          message: 'kind must be message, edit, delete or reaction',
        },
      ],
    };
  }
  const schema = ITEM_SCHEMAS[kind as keyof typeof ITEM_SCHEMAS];
  const checked = schema.safeParse(item);
  if (!checked.success)
    return { errors: checked.error.issues.map((issue) => toItemError(issue, item, index, id)) };
  try {
    return { item: toIngestItem(checked.data, context) };
  } catch (error) {
    if (!(error instanceof ItemProblem)) throw error;
    return { errors: [{ index, id, code: error.code, field: error.field, message: error.message }] };
  }
}

function toItemError(
  issue: z.core.$ZodIssue,
  item: Record<string, unknown>,
  index: number,
  id: string | undefined,
): ItemError {
  const field = issue.path.length > 0 ? issue.path.join('.') : undefined;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return {
      index,
      id,
      code: 'unknown_field',
      field: field ? `${field}.${keys}` : keys,
      message: `unknown field: ${keys}`,
    };
  }
  const missing = issue.code === 'invalid_type' && valueAt(item, issue.path) === undefined;
  return {
    index,
    id,
    code: missing ? 'missing_field' : 'invalid_field',
    field,
    message: missing ? 'required' : issue.message,
  };
}

type ItemInput = MessageItemInput | EditItemInput | DeleteItemInput | ReactionItemInput;

function toIngestItem(input: ItemInput, context: ParseContext): IngestItem {
  if (input.kind === 'edit' || input.kind === 'delete' || input.kind === 'reaction')
    return toEvent(input, context);
  return toMessage(input, context);
}

function toEvent(
  input: EditItemInput | DeleteItemInput | ReactionItemInput,
  context: ParseContext,
): IngestEvent {
  const fromMe = input.fromMe ?? false;
  const sender = input.from === undefined ? undefined : parseParty(input.from, 'from', context);
  if (input.kind === 'reaction' && !fromMe && !sender) {
    throw new ItemProblem('missing_field', 'from', 'a reaction needs `from` unless fromMe is true');
  }
  const event: IngestEvent = {
    kind: input.kind,
    sourceId: input.id,
    target: input.target,
    sender,
    fromMe,
    occurredAt: parseTimestamp(input.timestamp, context),
    text: input.kind === 'edit' ? input.text : undefined,
    emoji: input.kind === 'reaction' ? input.emoji : undefined,
    raw: input.raw ?? input,
  };
  return event;
}

function toMessage(input: MessageItemInput, context: ParseContext): IngestMessage {
  const fromMe = input.fromMe ?? false;
  const chat =
    input.chat.type === 'direct'
      ? { kind: 'direct' as const, partner: parseParty(input.chat.with, 'chat.with', context) }
      : {
          kind: 'group' as const,
          groupKey: input.chat.id,
          title: input.chat.title,
          participants: (input.chat.participants ?? []).map((p, i) =>
            parseParty(p, `chat.participants.${i}`, context),
          ),
        };
  let sender = input.from === undefined ? undefined : parseParty(input.from, 'from', context);
  if (!fromMe && !sender) {
    if (chat.kind === 'group')
      throw new ItemProblem('missing_field', 'from', 'an inbound group message needs `from`');
    sender = chat.partner;
  }
  const type: MessageType = input.type ?? 'text';
  checkTypeFields(input, type);
  return {
    kind: 'message',
    sourceId: input.id,
    chat,
    sender: fromMe ? undefined : sender,
    fromMe,
    sentAt: parseTimestamp(input.timestamp, context),
    type,
    text: input.text,
    replyTo: input.replyTo,
    details: details(input),
    media: input.media === undefined ? undefined : parseMedia(input.media, context),
    raw: input.raw ?? input,
  };
}

function checkTypeFields(input: MessageItemInput, type: MessageType): void {
  if (type === 'text' && !input.text)
    throw new ItemProblem('missing_field', 'text', 'a text message needs `text`');
  if (type === 'location' && !input.location) {
    throw new ItemProblem('missing_field', 'location', 'a location message needs `location`');
  }
  if (type === 'contacts' && !input.contacts?.length) {
    throw new ItemProblem('missing_field', 'contacts', 'a contacts message needs `contacts`');
  }
}

function details(input: MessageItemInput): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = {};
  if (input.location) result.location = input.location;
  if (input.contacts) result.contacts = input.contacts;
  if (input.forwarded) result.forwarded = true;
  return Object.keys(result).length > 0 ? result : undefined;
}

function parseTimestamp(value: number | string, context: ParseContext): number {
  const ms = typeof value === 'number' ? Math.round(value * 1000) : parseIsoWithZone(value);
  if (ms === undefined) {
    throw new ItemProblem(
      'invalid_timestamp',
      'timestamp',
      'use Unix seconds or ISO 8601 with a zone (…Z or …+02:00)',
    );
  }
  if (ms < EARLIEST || ms > context.now + FUTURE_SLACK_MS) {
    throw new ItemProblem(
      'invalid_timestamp',
      'timestamp',
      `${new Date(ms).toISOString()} is out of range (numbers are Unix seconds, not milliseconds)`,
    );
  }
  return ms;
}

function parseIsoWithZone(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseMedia(input: NonNullable<MessageItemInput['media']>, context: ParseContext): IngestMedia {
  if ('url' in input)
    return { kind: 'url', url: input.url, mimeType: input.mimeType, fileName: input.fileName };
  const compact = input.base64.replace(/\s+/g, '');
  if (!BASE64.test(compact))
    throw new ItemProblem('invalid_media', 'media.base64', 'media.base64 is not base64');
  // Decoded size is known from the text length, so an oversized file is refused before decoding it.
  if (Math.floor((compact.length * 3) / 4) > context.mediaMaxBytes + 2) {
    throw new ItemProblem(
      'media_too_large',
      'media.base64',
      `the file exceeds ${context.mediaMaxBytes} bytes`,
    );
  }
  const bytes = Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
  if (bytes.byteLength === 0)
    throw new ItemProblem('invalid_media', 'media.base64', 'media.base64 decodes to nothing');
  if (bytes.byteLength > context.mediaMaxBytes) {
    throw new ItemProblem(
      'media_too_large',
      'media.base64',
      `the file exceeds ${context.mediaMaxBytes} bytes`,
    );
  }
  return { kind: 'bytes', bytes, mimeType: input.mimeType, fileName: input.fileName };
}

/** Reads a party in either form; every key given must be valid, and one of phone, lid, user id must be there. */
export function parseParty(input: PartyInput, field: string, context: ParseContext): PartyRef {
  if (typeof input === 'string') return addressToParty(input, field, context, {});
  let party: PartyRef = { name: input.name, username: input.username };
  if (input.id !== undefined) party = addressToParty(input.id, `${field}.id`, context, party);
  if (input.phone !== undefined) {
    const phone = normalizePhone(input.phone, { defaultRegion: context.defaultRegion });
    if (!phone.ok)
      throw new ItemProblem('invalid_phone', `${field}.phone`, `${input.phone}: ${phone.message}`);
    party = { ...party, phone: phone.e164 };
  }
  if (input.lid !== undefined) party = expectKind(input.lid, `${field}.lid`, 'lid', context, party);
  if (input.userId !== undefined)
    party = expectKind(input.userId, `${field}.userId`, 'bsuid', context, party);
  if (input.parentUserId !== undefined) party = { ...party, parentBsuid: input.parentUserId };
  if (!party.phone && !party.lid && !party.bsuid) {
    throw new ItemProblem('missing_field', field, 'a party needs one of id, phone, lid or userId');
  }
  return party;
}

function expectKind(
  raw: string,
  field: string,
  kind: 'lid' | 'bsuid',
  context: ParseContext,
  party: PartyRef,
): PartyRef {
  const parsed = parseWhatsAppId(raw, { defaultRegion: context.defaultRegion });
  if (!parsed.ok || parsed.address.kind !== kind) {
    const expected =
      kind === 'lid' ? 'a linked id like 123456789@lid' : 'a business-scoped user id like US.1349…';
    throw new ItemProblem('invalid_whatsapp_id', field, `${raw} is not ${expected}`);
  }
  return addressToParty(raw, field, context, party);
}

function addressToParty(raw: string, field: string, context: ParseContext, party: PartyRef): PartyRef {
  const parsed = parseWhatsAppId(raw, { defaultRegion: context.defaultRegion });
  if (!parsed.ok) {
    const code = parsed.reason === 'invalid_phone' ? 'invalid_phone' : 'invalid_whatsapp_id';
    throw new ItemProblem(code, field, `${raw}: ${parsed.message}`);
  }
  const address = parsed.address;
  switch (address.kind) {
    case 'phone':
      return {
        ...party,
        phone: address.e164,
        waId: /^\d+$/.test(raw.split('@')[0] ?? '') ? raw.split('@')[0] : party.waId,
      };
    case 'lid':
      return { ...party, lid: address.lid };
    case 'bsuid':
      return address.parent ? { ...party, parentBsuid: address.userId } : { ...party, bsuid: address.userId };
    default:
      throw new ItemProblem('invalid_whatsapp_id', field, `${raw} is a ${address.kind} id, not a person`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
