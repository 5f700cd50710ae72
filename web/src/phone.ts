import { type CountryCode, getCountries, parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * A number as every screen spells it: the international format ("+49 1512 3456789"), whatever
 * spelling it arrived in (E.164 from WhatsApp, "(415) 555-0101" from a CRM). A national spelling is
 * read in `region` (the person's own country is the likeliest); what does not read as a number is
 * shown as it came.
 */
export function formatPhone(value: string, region?: string): string {
  const parsed = parsePhoneNumberFromString(value, regionOrUndefined(region));
  return parsed?.isValid() ? parsed.formatInternational() : value;
}

/** Several numbers of one record, each once however differently the CRM spelled them. */
export function formatPhones(values: readonly string[], region?: string): string {
  return [...new Set(values.map((value) => formatPhone(value, region)))].join(', ');
}

/** The country of an international number ("+4915…" → "DE"), to read a person's national spellings. */
export function regionOfPhone(value: string | undefined): string | undefined {
  return value === undefined ? undefined : parsePhoneNumberFromString(value)?.country;
}

const REGIONS = new Set<string>(getCountries());

function regionOrUndefined(region: string | undefined): CountryCode | undefined {
  return region !== undefined && REGIONS.has(region) ? (region as CountryCode) : undefined;
}

/** The countries a default country may be, by their names in the reader's language, sorted. */
export function regionChoices(locale?: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames(locale === undefined ? undefined : [locale], { type: 'region' });
  return getCountries()
    .map((code) => ({ code, name: names.of(code) ?? code }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
}
