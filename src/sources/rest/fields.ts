/**
 * Field-level readers of the REST ingest: parties, timestamps, media. Each returns the ingest
 * pipeline's form or throws an ItemProblem naming the field and a stable code.
 */
import type { PartyRef } from '../../core/party.js';
import { type CountryCode, normalizePhone } from '../../core/phone.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { IngestMedia } from '../../ingest/types.js';
import type { MessageItemInput, PartyInput } from './schema.js';

/** Stable per-item error codes of the REST ingest (docs/errors.md). */
export const ITEM_ERROR_CODES = [
  'invalid_item',
  'missing_field',
  'invalid_field',
  'unknown_field',
  'invalid_phone',
  'invalid_whatsapp_id',
  'invalid_timestamp',
  'invalid_text',
  'too_deep',
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

/** WhatsApp launched in 2009; anything earlier is a unit mistake (milliseconds sent as seconds, say). */
const EARLIEST = Date.UTC(2009, 0, 1);
const FUTURE_SLACK_MS = 24 * 3_600_000;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export class ItemProblem extends Error {
  constructor(
    readonly code: ItemErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function parseTimestamp(value: number | string, context: ParseContext): number {
  const ms = typeof value === 'number' ? Math.round(value * 1000) : parseIsoWithZone(value);
  if (ms === undefined) {
    throw new ItemProblem(
      'invalid_timestamp',
      'timestamp',
      'use Unix seconds or ISO 8601 with a zone (…Z or …+02:00), naming a real date and time',
    );
  }
  // Checked before formatting: a date past JavaScript's range (9e12 seconds, 1e308) cannot be printed.
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > context.now + FUTURE_SLACK_MS) {
    throw new ItemProblem(
      'invalid_timestamp',
      'timestamp',
      `${String(value)} is out of range: after 2009 and at most a day ahead (numbers are Unix seconds, not milliseconds)`,
    );
  }
  return ms;
}

const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function parseIsoWithZone(text: string): number | undefined {
  const match = ISO_WITH_ZONE.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  // Date.parse rolls 2026-02-30 over to 2 March and 24:00 to the next day; a wrong date is refused instead.
  if (!isCalendarDate(year ?? 0, month ?? 0, day ?? 0)) return undefined;
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

export function parseMedia(
  input: NonNullable<MessageItemInput['media']>,
  context: ParseContext,
): IngestMedia {
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
