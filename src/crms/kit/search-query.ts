import { type CountryCode, normalizePhone } from '../../core/phone.js';

/**
 * A search typed as a phone number (6 digits at least, nothing but phone punctuation), read as E.164
 * with the workspace's default region; undefined for a name. A destination looks such a query up as
 * it looks up WhatsApp numbers.
 */
export function phoneQuery(query: string, defaultRegion: CountryCode | undefined): string | undefined {
  if (!/^[+\d\s()./-]+$/.test(query) || query.replace(/\D/g, '').length < 6) return undefined;
  const read = normalizePhone(query, { defaultRegion });
  return read.ok ? read.e164 : undefined;
}
