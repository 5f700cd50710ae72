/**
 * Finding WhatsApp numbers among Zoho contacts and leads, however they are spelled. Two paths, merged:
 *
 * - COQL over Phone and Mobile for the exact spellings a number may be stored under (numberToFind):
 *   exact and immediate, so a record created a moment ago is found although the search index does not
 *   see it yet (a search right after a create answers 204: the crm-apis notes §2.2). `in` takes up to
 *   50 values and a where clause up to 25 criteria (Zoho CRM API, "Query API - Limitations"); a limit
 *   up to 200 costs one credit (COQL Overview, credits by LIMIT).
 * - The `phone=` search, "all the phone fields of a particular module will be searched", tolerant of
 *   formatting, for spellings no list foresees (`+55 (11) 98765-4321`), one number a call.
 *
 * Zoho does not document how its phone search matches, so every hit is confirmed here by reading the
 * record's Phone and Mobile with the workspace's default region: a link must never rest on a loose match.
 */
import { type NumberToFind, numberToFind } from '../../core/phone-lookup.js';
import type { CrmRecord, LookupContext, PhoneLookup, RecordType } from '../types.js';
import {
  coqlString,
  MODULE_OF,
  RECORD_FIELDS,
  type RecordLinks,
  toCrmRecord,
  type ZohoList,
  type ZohoRow,
} from './mapping.js';
import type { ZohoTransport } from './transport.js';

/** "in (up to 50 values)" (Query API - Limitations). */
const COQL_IN_VALUES = 50;
/** Rows per COQL call at one credit (COQL Overview: LIMIT 1-200 costs 1 credit). */
const COQL_PAGE = 200;
/** Search answers up to 200 a page (the crm-apis notes §2.2: `per_page` ≤ 200). */
const SEARCH_PAGE = 200;

interface Found {
  row: ZohoRow;
  type: RecordType;
}

export async function findRecordsByPhone(
  transport: ZohoTransport,
  links: () => Promise<RecordLinks>,
  numbers: readonly PhoneLookup[],
  context: LookupContext,
): Promise<Map<string, CrmRecord[]>> {
  const result = new Map<string, CrmRecord[]>();
  if (numbers.length === 0) return result;
  const targets = numbers.map((n) => ({ key: n.key, number: numberToFind(n.phone) }));
  const distinct = [...new Map(targets.map((t) => [t.number.e164, t.number])).values()];
  const found: Found[] = [];
  for (const type of ['contact', 'lead'] as const) {
    found.push(...(await queryExact(transport, type, distinct)));
    for (const number of distinct) found.push(...(await searchPhone(transport, type, number)));
  }
  const base = await links();
  const records = [
    ...new Map(
      found.map(({ row, type }) => [`${type}:${String(row.id)}`, toCrmRecord(row, type, base)]),
    ).values(),
  ].sort(contactsFirst);
  for (const { key, number } of targets) {
    const holds = (record: CrmRecord) => record.phones.some((p) => number.isHeldIn(p, context.defaultRegion));
    result.set(key, records.filter(holds));
  }
  return result;
}

/** Contacts before leads; among each, the one created first (ids do not say). */
function contactsFirst(a: CrmRecord, b: CrmRecord): number {
  if (a.type !== b.type) return a.type === 'contact' ? -1 : 1;
  return (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0);
}

/** The exact spellings, 50 a query (each list used for Phone and Mobile: two criteria). */
async function queryExact(
  transport: ZohoTransport,
  type: RecordType,
  numbers: readonly NumberToFind[],
): Promise<Found[]> {
  const spellings = [...new Set(numbers.flatMap((n) => n.spellings))];
  const found: Found[] = [];
  for (let start = 0; start < spellings.length; start += COQL_IN_VALUES) {
    const list = spellings
      .slice(start, start + COQL_IN_VALUES)
      .map(coqlString)
      .join(', ');
    const where = `(Phone in (${list}) or Mobile in (${list}))`;
    for (let offset = 0; ; offset += COQL_PAGE) {
      const query = `select ${RECORD_FIELDS.join(', ')} from ${MODULE_OF[type]} where ${where} limit ${offset}, ${COQL_PAGE}`;
      const answer = await transport.request<ZohoList>('POST', 'coql', {
        json: { select_query: query },
        read: true,
      });
      // 204: no row matched.
      found.push(...(answer.body?.data ?? []).map((row) => ({ row, type })));
      if (!answer.body?.info?.more_records) break;
    }
  }
  return found;
}

/** The format-tolerant search for one number; 204 is "nothing (the index may lag)". */
async function searchPhone(
  transport: ZohoTransport,
  type: RecordType,
  number: NumberToFind,
): Promise<Found[]> {
  const found: Found[] = [];
  for (let page = 1; ; page++) {
    const answer = await transport.request<ZohoList>('GET', `${MODULE_OF[type]}/search`, {
      query: { phone: number.e164, fields: RECORD_FIELDS.join(','), page, per_page: SEARCH_PAGE },
    });
    found.push(...(answer.body?.data ?? []).map((row) => ({ row, type })));
    if (!answer.body?.info?.more_records) return found;
  }
}
