import { type CountryCode, normalizePhone } from '../../core/phone.js';
import {
  type ConnectionCheck,
  CrmError,
  type CrmRecord,
  type LookupContext,
  type PhoneLookup,
} from '../types.js';

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

/**
 * A search for linking by hand, as every destination answers it: a query of fewer than `minLength`
 * characters finds nothing; one typed as a phone number is looked up as WhatsApp numbers are (the
 * destination's findByPhones, which finds any spelling of the number) and by name too (a record may
 * be named by its number, or hold digits in its name), the number's records first and none twice;
 * anything else goes to the CRM's own name search.
 */
export async function searchByNumberOrName(
  query: string,
  context: LookupContext,
  ways: {
    findByPhones(numbers: readonly PhoneLookup[], context: LookupContext): Promise<Map<string, CrmRecord[]>>;
    byName(trimmed: string): Promise<CrmRecord[]>;
    minLength?: number;
  },
): Promise<CrmRecord[]> {
  const trimmed = query.trim();
  if (trimmed.length < (ways.minLength ?? 1)) return [];
  const phone = phoneQuery(trimmed, context.defaultRegion);
  if (phone === undefined) return ways.byName(trimmed);
  const byNumber = (await ways.findByPhones([{ key: phone, phone }], context)).get(phone) ?? [];
  return withoutRepeats([...byNumber, ...(await ways.byName(trimmed))]);
}

/** Each record once (by type and id), where it first appears. */
export function withoutRepeats(records: readonly CrmRecord[]): CrmRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    const key = `${record.type}:${record.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A connection test's answer: what `check` finds wrong, or the CRM's refusal as one readable problem
 * (`message (CODE)`); anything that is not the CRM's answer is thrown. A refusal `explain` turns
 * into words is setup left to do; any other is the `failure` that stopped the test (bad credentials,
 * the CRM out of reach).
 */
export async function crmCheck(
  check: () => Promise<string[] | undefined>,
  explain: (error: CrmError) => string | undefined = () => undefined,
): Promise<ConnectionCheck> {
  try {
    return { problems: (await check()) ?? [], failure: undefined };
  } catch (error) {
    if (!(error instanceof CrmError)) throw error;
    const explained = explain(error);
    if (explained !== undefined) return { problems: [explained], failure: undefined };
    return { problems: [`${error.message} (${error.code})`], failure: error };
  }
}
