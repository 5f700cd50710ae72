/**
 * What a CRM lookup needs to find a WhatsApp number however the CRM holds it: the exact spellings to
 * query for, the digit strings a full-text index may hold it under, and the check that a phone field a
 * search turned up really holds this number (search engines match loosely; a link must not).
 */
import {
  type CountryCode,
  canonicalWhatsAppPhone,
  normalizePhone,
  parseValid,
  whatsappEquivalents,
} from './phone.js';
import { crmPhoneSpellings } from './phone-spellings.js';
import { digitsOf } from './phone-variants.js';

export interface NumberToFind {
  /** Canonical E.164. */
  e164: string;
  /** Spellings for exact-match queries (see crmPhoneSpellings), canonical first. */
  spellings: readonly string[];
  /** Digit strings a search index may hold the number under, one search term each. */
  searchTerms: readonly string[];
  /**
   * Whether a stored phone field holds this number: one of its exact spellings, or a spelling that
   * reads (with the workspace's default region for national ones) as the number or one WhatsApp treats
   * as the same (Brazil 9th digit, Mexico `52 1`, Argentina `54 9`); for a number the phone metadata
   * does not know, any international spelling of exactly its digits. One digit off is another number.
   */
  isHeldIn(stored: string, defaultRegion: CountryCode | undefined): boolean;
}

export function numberToFind(e164: string): NumberToFind {
  const canonical = canonicalWhatsAppPhone(e164);
  const spellings = crmPhoneSpellings(canonical);
  const exact = new Set(spellings);
  const equivalents = new Set(whatsappEquivalents(canonical));
  // A number the phone metadata does not know (a WhatsApp id from a range opened after the metadata
  // was cut) reads nowhere: a stored spelling holds it when it is written internationally with
  // exactly its digits.
  const unknownDigits = parseValid(canonical) ? undefined : digitsOf(canonical);
  return {
    e164: canonical,
    spellings,
    searchTerms: searchTermsOf(spellings, [...equivalents]),
    isHeldIn(stored, defaultRegion) {
      const text = stored.trim();
      if (exact.has(text)) return true;
      if (unknownDigits !== undefined && internationalDigits(text) === unknownDigits) return true;
      const read = normalizePhone(text, { defaultRegion });
      return read.ok && equivalents.has(read.e164);
    },
  };
}

/** The digits after the `+` or `00` of an internationally written number; undefined for others. */
function internationalDigits(text: string): string | undefined {
  if (text.startsWith('+')) return digitsOf(text);
  return text.startsWith('00') ? digitsOf(text).slice(2) : undefined;
}

/**
 * The digits of every exact spelling (international, national with and without the trunk prefix, the
 * BR/MX/AR forms), plus spellings people type that no formatter produces: the `00` international
 * prefix (`0049 1512 …`), the European `(0)` kept after the country code (`+44 (0)7400 …`, digits
 * `440 7400…`), and the country code before a national format that is more than the national number
 * (Argentina's `+54 11 15 2345-6789`).
 */
function searchTermsOf(spellings: readonly string[], equivalents: readonly string[]): string[] {
  const terms = new Set(spellings.map(digitsOf).filter((digits) => digits !== ''));
  for (const e164 of equivalents) {
    terms.add(`00${digitsOf(e164)}`);
    const number = parseValid(e164);
    if (!number) continue;
    const national = digitsOf(number.formatNational());
    const country = number.countryCallingCode;
    if (national === `0${number.nationalNumber}`) terms.add(`${country}0${number.nationalNumber}`);
    // Formats that are not just a trunk prefix before the national number rearrange its digits.
    if (!national.endsWith(number.nationalNumber)) {
      const bare = national.replace(/^0/, '');
      terms.add(bare).add(`${country}${bare}`);
    }
  }
  return [...terms];
}
