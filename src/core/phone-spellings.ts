/**
 * The spellings a CRM may hold a WhatsApp number in, so an exact-match query (SOQL `Phone = '…'`,
 * Zoho criteria, Bitrix24 filters) finds the record however the number was typed.
 */
import { type PhoneNumber, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { canonicalWhatsAppPhone, parseValid } from './phone.js';
import { aliasesOf, digitsOf, removeAt, type VariantRule } from './phone-variants.js';

/**
 * The spellings a CRM may hold a number in, for exact-match queries (SOQL `Phone = '...'`).
 *
 * For every {@link whatsappEquivalents} form: E.164, digits only, libphonenumber's international
 * and national formats, the national number's digits with and without the national prefix, and
 * each format's digit groups re-joined with `-`, ` ` and `.`. Aliases libphonenumber cannot format
 * (Brazil without the 9th digit, Mexico with 521) are formatted by editing the canonical
 * spellings. Deduplicated, canonical E.164 first, fewer than 40 entries.
 */
export function crmPhoneSpellings(e164: string): string[] {
  const canonical = canonicalWhatsAppPhone(e164);
  const canonicalNumber = parseValid(canonical);
  const canonicalFormats = canonicalNumber ? formattedSpellings(canonicalNumber) : [];
  const spellings = [canonical, digitsOf(canonical), ...canonicalFormats];
  for (const alias of aliasesOf(canonical)) {
    spellings.push(alias.e164, digitsOf(alias.e164));
    const aliasNumber = parseValid(alias.e164);
    if (aliasNumber) spellings.push(...formattedSpellings(aliasNumber));
    else spellings.push(...editedSpellings(canonicalFormats, alias.rule, digitsOf(canonical)));
  }
  return [...new Set(spellings)];
}

const SEPARATORS = ['-', ' ', '.'] as const;

function formattedSpellings(number: PhoneNumber): string[] {
  const international = number.formatInternational();
  const spellings = [international, ...joinVariants(digitGroups(international))];
  // Non-geographic numbers (+800, +882...) have no national spelling anyone would store.
  if (number.country !== undefined) spellings.push(...nationalSpellings(number));
  return spellings;
}

function nationalSpellings(number: PhoneNumber): string[] {
  const national = number.formatNational();
  const groups = digitGroups(national);
  const prefix = trunkPrefixOf(number);
  const bare = withoutPrefix(groups, prefix, number.nationalNumber);
  // Argentine mobiles format as `011 15-...`, which is neither the national number nor prefix + it.
  if (bare === undefined) return [national, ...joinVariants(groups), digitsOf(national)];
  const spellings = [national, ...joinVariants(bare), number.nationalNumber];
  // People add the country code in front of the national format they know: `+55 21 99876-5432`,
  // `+1 (201) 555-0123`. Only where the national format carries no trunk prefix.
  if (digitsOf(national) === number.nationalNumber) {
    const country = `+${number.countryCallingCode}`;
    spellings.push(
      `${country} ${national}`,
      `${country} ${national.replace(/[()]/g, '')}`,
      `${country} ${bare.join('-')}`,
    );
  }
  if (prefix !== undefined) {
    spellings.push(...joinVariants(withPrefix(bare, prefix)), prefix + number.nationalNumber);
  }
  return spellings;
}

/** Digit runs of a formatted number; the `+` stays on the country code. */
function digitGroups(formatted: string): string[] {
  return formatted.match(/\+?\d+/g) ?? [];
}

function joinVariants(groups: readonly string[]): string[] {
  return groups.length < 2 ? [] : SEPARATORS.map((separator) => groups.join(separator));
}

/**
 * The national groups without the trunk prefix, or undefined when they are not simply
 * prefix + national number (e.g. Argentina's `011 15-...` mobile format).
 */
function withoutPrefix(
  groups: string[],
  prefix: string | undefined,
  nationalNumber: string,
): string[] | undefined {
  const joined = groups.join('');
  if (joined === nationalNumber) return groups;
  if (prefix === undefined || joined !== prefix + nationalNumber) return undefined;
  const [first = '', ...rest] = groups;
  const remainder = first.slice(prefix.length);
  return remainder === '' ? rest : [remainder, ...rest];
}

/** A `0` trunk prefix is written fused to the area code (011, 030); others stand apart (1 201, 8 912). */
function withPrefix(groups: readonly string[], prefix: string): string[] {
  const [first = '', ...rest] = groups;
  return prefix === '0' ? [prefix + first, ...rest] : [prefix, ...groups];
}

/** Trunk prefixes in use worldwide: 0 almost everywhere, 1 in NANP, 8 in Russia and neighbours, 06 in Hungary. */
const TRUNK_PREFIXES = ['0', '1', '8', '06'] as const;

/**
 * The trunk prefix people dial before this national number, found by checking which prefixed
 * spelling libphonenumber reads back to the same number in its own region. That is exactly the
 * property a CRM spelling needs, and it avoids metadata internals the typings do not expose.
 */
function trunkPrefixOf(number: PhoneNumber): string | undefined {
  const region = number.country;
  if (region === undefined) return undefined;
  return TRUNK_PREFIXES.find((prefix) => {
    try {
      const text = prefix + number.nationalNumber;
      return (
        parsePhoneNumberWithError(text, { defaultCountry: region, extract: false }).number === number.number
      );
    } catch {
      return false;
    }
  });
}

/** Spellings of an alias libphonenumber cannot format, made by adding or removing its digit. */
function editedSpellings(
  canonicalFormats: readonly string[],
  rule: VariantRule,
  canonicalDigits: string,
): string[] {
  // Counted from the right, the digit sits at the same place in international and national spellings.
  const fromRight = canonicalDigits.length - rule.index;
  const edited: string[] = [];
  for (const spelling of canonicalFormats) {
    if (!rule.national && !spelling.startsWith('+')) continue;
    const result = editSpelling(spelling, fromRight, rule);
    if (result !== undefined) edited.push(result);
  }
  return edited;
}

function editSpelling(spelling: string, fromRight: number, rule: VariantRule): string | undefined {
  const position = digitPositionFromRight(spelling, fromRight);
  if (position === undefined) return undefined;
  if (rule.extraDigitIn === 'alias') {
    // Give the inserted digit its own group, as in the old `+52 1 55 ...` format.
    const before = spelling[position - 1] ?? '';
    const separator = /[\s.-]/.test(before) ? before : '';
    return spelling.slice(0, position) + rule.digit + separator + spelling.slice(position);
  }
  if (spelling[position] !== rule.digit) return undefined;
  const removed = removeAt(spelling, position);
  const isLoneGroup = /[\s.-]/.test(removed[position - 1] ?? '') && /[\s.-]/.test(removed[position] ?? '');
  return isLoneGroup ? removeAt(removed, position) : removed;
}

/** String index of the n-th digit counted from the end (1-based). */
function digitPositionFromRight(spelling: string, n: number): number | undefined {
  let seen = 0;
  for (let index = spelling.length - 1; index >= 0; index--) {
    const char = spelling[index] ?? '';
    if (char < '0' || char > '9') continue;
    seen++;
    if (seen === n) return index;
  }
  return undefined;
}
