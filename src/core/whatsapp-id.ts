/**
 * Parsing of every form a WhatsApp participant is addressed by: Baileys / whatsapp-web.js JIDs,
 * Cloud API `wa_id`s, business-scoped user ids (BSUIDs) and human phone spellings.
 */
import { type CountryCode, normalizePhone } from './phone.js';

export type WhatsAppAddress =
  | { kind: 'phone'; e164: string }
  | { kind: 'lid'; lid: string }
  | { kind: 'group'; groupJid: string }
  | { kind: 'bsuid'; userId: string; parent: boolean }
  | { kind: 'broadcast'; jid: string };

export type WhatsAppIdResult =
  | { ok: true; address: WhatsAppAddress }
  | { ok: false; reason: 'empty' | 'unknown_format' | 'invalid_phone'; message: string };

type ParseOptions = { defaultRegion?: CountryCode | undefined };

/** `CC.<id>` or the portfolio-level parent `CC.ENT.<id>`, id being 1-128 alphanumerics. */
const BSUID = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;
/** JID user part: `user[_agent][:device]`; agent and device address one session, not the person. */
const JID_USER = /^(\d+)(?:_\d+)?(?::\d+)?$/;
/** Groups: `1203...` (current) or `<creator>-<timestamp>` (legacy). */
const GROUP_USER = /^\d+(?:-\d+)?$/;
/** `status`, broadcast-list timestamps and newsletter ids. */
const BROADCAST_USER = /^[A-Za-z0-9]+$/;
const WA_ID = /^[1-9]\d*$/;
const PHONE_SPELLING = /^\+?[\d\s().-]+$/;

type ServerParser = (user: string, server: string) => WhatsAppIdResult;

const SERVERS: Readonly<Record<string, ServerParser>> = {
  's.whatsapp.net': parsePhoneJid,
  'c.us': parsePhoneJid,
  hosted: parsePhoneJid,
  lid: parseLidJid,
  'hosted.lid': parseLidJid,
  'g.us': parseGroupJid,
  broadcast: parseBroadcastJid,
  newsletter: parseBroadcastJid,
};

/**
 * Parse any WhatsApp address: `5511987654321@s.whatsapp.net` (also `@c.us`, `@hosted`, with a
 * `:device` suffix), `123@lid` / `@hosted.lid`, groups `...@g.us`, `status@broadcast`, channels
 * `...@newsletter`, Cloud API `wa_id`s (`5511987654321`), BSUIDs (`US.1349...`, `US.ENT.118...`)
 * and human phone spellings (`+55 11 98765-4321`; national ones need `defaultRegion`).
 *
 * Phones go through {@link normalizePhone}, so Brazil/Mexico WhatsApp variants come out canonical; a
 * phone JID the phone metadata calls invalid is still a registered number and comes out as `+<digits>`.
 */
export function parseWhatsAppId(raw: string, options: ParseOptions = {}): WhatsAppIdResult {
  const text = raw.trim();
  if (text === '') return fail('empty', 'the WhatsApp id is empty');
  const at = text.lastIndexOf('@');
  if (at >= 0) return parseJid(text.slice(0, at), text.slice(at + 1).toLowerCase());
  const bsuid = BSUID.exec(text);
  if (bsuid) return found({ kind: 'bsuid', userId: text, parent: bsuid[1] !== undefined });
  if (WA_ID.test(text)) return parseWaId(text, options);
  if (PHONE_SPELLING.test(text)) return phoneAddress(text, options);
  return fail('unknown_format', 'not a recognised WhatsApp id form');
}

/**
 * A stable lookup key for an address: `phone:+5511987654321`, `lid:123@lid`,
 * `group:...@g.us`, `bsuid:US.123`, `broadcast:status@broadcast`.
 */
export function addressKey(address: WhatsAppAddress): string {
  switch (address.kind) {
    case 'phone':
      return `phone:${address.e164}`;
    case 'lid':
      return `lid:${address.lid}`;
    case 'group':
      return `group:${address.groupJid}`;
    case 'bsuid':
      return `bsuid:${address.userId}`;
    case 'broadcast':
      return `broadcast:${address.jid}`;
  }
}

function parseJid(user: string, server: string): WhatsAppIdResult {
  const parse = Object.hasOwn(SERVERS, server) ? SERVERS[server] : undefined;
  if (parse === undefined) return fail('unknown_format', `unsupported JID server "@${server}"`);
  return parse(user, server);
}

/** A JID user that can be a number: E.164 allows at most 15 digits, and none starts with 0. */
const REGISTERED_NUMBER = /^[1-9]\d{6,14}$/;

function parsePhoneJid(user: string): WhatsAppIdResult {
  const userId = jidUser(user);
  if (userId === undefined) return fail('unknown_format', 'a phone JID needs a numeric user part');
  // JID users are always international numbers without `+`.
  const phone = normalizePhone(`+${userId}`);
  if (phone.ok) return found({ kind: 'phone', e164: phone.e164 });
  // A phone JID names a number WhatsApp registered, so it exists even where the phone metadata calls
  // it invalid (a range opened after the metadata was cut, a short national plan): it is kept as
  // dialled, `+` and its digits, as the Cloud API source keeps such a wa_id. Only a country calling
  // code that does not exist, or a length no number has, is refused.
  if (phone.reason !== 'invalid_country_code' && REGISTERED_NUMBER.test(userId))
    return found({ kind: 'phone', e164: `+${userId}` });
  return fail('invalid_phone', `${phone.reason}: ${phone.message}`);
}

function parseLidJid(user: string): WhatsAppIdResult {
  const userId = jidUser(user);
  if (userId === undefined) return fail('unknown_format', 'a LID needs a numeric user part');
  // `@hosted.lid` shares the LID namespace; one spelling keeps lookups on a single key.
  return found({ kind: 'lid', lid: `${userId}@lid` });
}

function parseGroupJid(user: string): WhatsAppIdResult {
  if (!GROUP_USER.test(user)) return fail('unknown_format', 'a group JID needs a numeric user part');
  return found({ kind: 'group', groupJid: `${user}@g.us` });
}

function parseBroadcastJid(user: string, server: string): WhatsAppIdResult {
  if (!BROADCAST_USER.test(user)) return fail('unknown_format', `malformed @${server} JID`);
  return found({ kind: 'broadcast', jid: `${user}@${server}` });
}

/** The user part without agent and device suffixes, or undefined when it is not numeric. */
function jidUser(user: string): string | undefined {
  return JID_USER.exec(user)?.[1];
}

/**
 * Cloud API `wa_id`s are international digits without `+`. Only when that reading fails and a
 * region is known is the string retried as a national number someone typed without punctuation.
 */
function parseWaId(digits: string, options: ParseOptions): WhatsAppIdResult {
  const international = phoneAddress(`+${digits}`, {});
  if (international.ok || options.defaultRegion === undefined) return international;
  const national = phoneAddress(digits, options);
  return national.ok ? national : international;
}

function phoneAddress(text: string, options: ParseOptions): WhatsAppIdResult {
  const phone = normalizePhone(text, options);
  if (!phone.ok) return fail('invalid_phone', `${phone.reason}: ${phone.message}`);
  return found({ kind: 'phone', e164: phone.e164 });
}

function found(address: WhatsAppAddress): WhatsAppIdResult {
  return { ok: true, address };
}

function fail(reason: 'empty' | 'unknown_format' | 'invalid_phone', message: string): WhatsAppIdResult {
  return { ok: false, reason, message };
}
