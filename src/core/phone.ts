/**
 * Phone identity: one canonical E.164 key per WhatsApp account, plus the spellings needed to find
 * that account's number in a CRM.
 *
 * Built on libphonenumber-js with the `max` metadata: the default `min` set only checks lengths,
 * so `isValid()` would accept numbers that do not exist and number types would be unknown.
 */
import type { CountryCode } from 'libphonenumber-js';
import {
  getCountries,
  getCountryCallingCode,
  ParseError,
  type PhoneNumber,
  parseDigits,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { LRUCache } from 'lru-cache';
import { aliasesOf, toCanonical, VARIANT_RULES } from './phone-variants.js';

export type { CountryCode };

export type PhoneRejection =
  | 'empty'
  | 'not_a_number'
  | 'too_short'
  | 'too_long'
  | 'invalid_country_code'
  | 'needs_region'
  | 'invalid_number';

export type PhoneResult =
  | { ok: true; e164: string; region: CountryCode | undefined }
  | { ok: false; reason: PhoneRejection; message: string };

/** One way of reading the input: the text handed to libphonenumber and the region it is read in. */
type Reading = { text: string; region: CountryCode | undefined };

/**
 * WhatsApp ids are international numbers without `+`; the shortest real ones (8-digit national
 * numbers behind a 2-digit country code) have 10 digits, and anything shorter is far more likely
 * a national number typed without its region.
 */
const WA_ID_STYLE = /^[1-9]\d{9,}$/;
const INTERNATIONAL_PLUS = /^\+/;

/**
 * Parse any human or WhatsApp spelling (`+55 11 98765-4321`, `011 98765 4321` with region BR,
 * `5511987654321`, `00 49 ...`, `0049...`) to canonical E.164.
 *
 * Numbers written with `+` or `00` need no region. A bare digit string of 10+ digits without a
 * leading 0 is read as a WhatsApp id (international without `+`) when no region is given; with a
 * region it is read nationally first, unless it starts with that region's calling code. Anything
 * else needs `defaultRegion`. The result is already canonical (see {@link canonicalWhatsAppPhone}).
 */
export function normalizePhone(
  input: string,
  options: { defaultRegion?: CountryCode | undefined } = {},
): PhoneResult {
  // Parsing costs tens of microseconds and the same customers write again and again, so results are
  // memoised (the function is pure; results are frozen so no caller can alter a cached one).
  const key = `${options.defaultRegion ?? ''}|${input}`;
  let result = normalized.get(key);
  if (result === undefined) {
    result = Object.freeze(normalizeUncached(input, options.defaultRegion));
    normalized.set(key, result);
  }
  return result;
}

const normalized = new LRUCache<string, PhoneResult>({ max: 50_000 });

function normalizeUncached(input: string, region: CountryCode | undefined): PhoneResult {
  // libphonenumber-js reads full-width digits but not the full-width plus (CJK input methods).
  const text = input.trim().replace(/^\uFF0B/, '+');
  if (text === '') return reject('empty', 'the phone number is empty');
  if (parseDigits(text) === '') return reject('not_a_number', 'the phone number contains no digits');
  const readings = readingsOf(text, region);
  if (readings.length === 0) return rejectWithoutRegion(text);
  const results = readings.map(readNumber);
  const accepted = results.find((result) => result.ok);
  if (accepted) return accepted;
  // A bare digit string that is not a valid international number is most likely a national
  // number, and the actionable fix is to configure a region.
  if (region === undefined && isBareWaId(text)) return rejectWithoutRegion(text);
  return results[0] ?? rejectWithoutRegion(text);
}

/**
 * The canonical E.164 form WhatsApp identities are keyed by: Brazil mobile with the 9th digit
 * (`+55 DD 8765-4321` becomes `+55 DD 98765-4321` when the subscriber part starts with 6-9;
 * landlines starting 2-5 never change), Mexico without the `1` after 52 (`+521XXXXXXXXXX` becomes
 * `+52XXXXXXXXXX`), Argentina mobile with the 9 (`+549...`, kept as is).
 *
 * An Argentine number without the 9 is left alone: mobile and fixed lines share number ranges, so
 * nothing in `+54 11 2345-6789` says it is a mobile. {@link whatsappEquivalents} covers both forms.
 * Accepts any spelling that keeps the country code; punctuation is dropped.
 */
export function canonicalWhatsAppPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits === '') return e164;
  const rule = VARIANT_RULES.find((candidate) => candidate.canonicalise && candidate.alias.test(digits));
  return `+${rule ? toCanonical(rule, digits) : digits}`;
}

/**
 * Every E.164 spelling WhatsApp treats as the same account, canonical first: BR with and without
 * the 9th digit, MX 52 and 521, AR 549 and 54. For other numbers just `[canonical]`.
 */
export function whatsappEquivalents(e164: string): string[] {
  const canonical = canonicalWhatsAppPhone(e164);
  return [...new Set([canonical, ...aliasesOf(canonical).map((alias) => alias.e164)])];
}

// --- reading the input -------------------------------------------------------------------------

/** The readings to try, most trusted first; empty when the input cannot be read without a region. */
function readingsOf(text: string, region: CountryCode | undefined): Reading[] {
  if (INTERNATIONAL_PLUS.test(text)) return [{ text, region }];
  const digits = parseDigits(text);
  const waId: Reading[] = isBareWaId(text) ? [{ text: `+${digits}`, region: undefined }] : [];
  // `00` is the IDD prefix in most of the world, and no national number starts with 00, so it
  // wins over the region (in Brazil `0049...` would otherwise read as trunk 0 + area code 49).
  // The region reading still follows for other IDDs and Brazil's `00 + carrier` form.
  const idd: Reading[] = digits.startsWith('00') ? [{ text: `+${digits.slice(2)}`, region: undefined }] : [];
  if (region === undefined) return [...idd, ...waId];
  const national: Reading = { text, region };
  // A digit string that starts with the region's own calling code is far more often E.164 stored
  // without `+` than a national number that happens to begin with those digits (e.g. DE 49...).
  if (isBareWaId(text) && digits.startsWith(getCountryCallingCode(region))) {
    return [...idd, ...waId, national];
  }
  return [...idd, national, ...waId];
}

function isBareWaId(text: string): boolean {
  return WA_ID_STYLE.test(text);
}

function readNumber(reading: Reading): PhoneResult {
  let parsed: PhoneNumber;
  try {
    // `extract: false` so "call +55 11 ... now" or trailing junk is rejected rather than mined.
    parsed = parsePhoneNumberWithError(
      reading.text,
      reading.region === undefined ? { extract: false } : { defaultCountry: reading.region, extract: false },
    );
  } catch (error) {
    return rejectParseError(error, reading);
  }
  return acceptCanonical(parsed);
}

/** Validates after canonicalising, so WhatsApp spellings libphonenumber rejects (BR without 9, MX 521) pass. */
function acceptCanonical(parsed: PhoneNumber): PhoneResult {
  const canonical =
    parseValid(canonicalWhatsAppPhone(parsed.number)) ?? (parsed.isValid() ? parsed : undefined);
  if (canonical) return { ok: true, e164: canonical.number, region: canonical.country };
  return rejectInvalid(parsed.number);
}

function rejectInvalid(e164: string): PhoneResult {
  switch (validatePhoneNumberLength(e164)) {
    case 'TOO_SHORT':
      return reject('too_short', 'the phone number has too few digits for its country');
    case 'TOO_LONG':
      return reject('too_long', 'the phone number has too many digits for its country');
    case 'INVALID_COUNTRY':
      return reject('invalid_country_code', 'the country calling code does not exist');
    default:
      return reject('invalid_number', 'the phone number is not a valid number for its country');
  }
}

function rejectParseError(error: unknown, reading: Reading): PhoneResult {
  if (!(error instanceof ParseError)) throw error;
  switch (error.message) {
    case 'NOT_A_NUMBER':
      return reject('not_a_number', 'the input is not a phone number');
    case 'TOO_SHORT':
      return reject('too_short', 'the phone number has too few digits');
    case 'TOO_LONG':
      return reject('too_long', 'the phone number has too many digits');
    case 'INVALID_COUNTRY':
      return reading.region === undefined && !INTERNATIONAL_PLUS.test(reading.text)
        ? reject('needs_region', 'the phone number has no country code and no default region was given')
        : reject('invalid_country_code', 'the country calling code does not exist');
    default:
      return reject('invalid_number', 'the phone number is not valid');
  }
}

/** Garbage should say so; otherwise the caller's fix is to supply a region. */
function rejectWithoutRegion(text: string): PhoneResult {
  const probe = readNumber({ text, region: undefined });
  if (!probe.ok && probe.reason === 'not_a_number') return probe;
  return reject('needs_region', 'the phone number has no country code and no default region was given');
}

function reject(reason: PhoneRejection, message: string): PhoneResult {
  return { ok: false, reason, message };
}

export function parseValid(e164: string): PhoneNumber | undefined {
  try {
    const parsed = parsePhoneNumberWithError(e164, { extract: false });
    return parsed.isValid() ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const REGIONS = new Set<string>(getCountries());

/** Whether `code` is an ISO 3166 country code libphonenumber knows (upper case, as `BR`). */
export function isRegion(code: string): code is CountryCode {
  return REGIONS.has(code);
}
