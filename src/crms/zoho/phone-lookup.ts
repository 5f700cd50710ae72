/**
 * Finding WhatsApp numbers among Zoho contacts and leads, however they are spelled. Two paths, merged:
 *
 * - COQL over Phone and Mobile for the exact spellings a number may be stored under (numberToFind):
 *   exact and immediate, so a record created a moment ago is found although the search index does not
 *   see it yet (a search right after a create answers 204: the crm-apis notes §2.2). `in` takes up to
 *   50 values and a where clause up to 25 criteria (Zoho CRM API, "Query API - Limitations"); a limit
 *   up to 200 costs one credit (COQL Overview, credits by LIMIT).
 * - The `phone=` search, "all the phone fields of a particular module will be searched", tolerant of
 *   formatting, for the rest: spellings no list foresees (`+55 (11) 98765-4321`), one number a call,
 *   only for numbers the exact spellings did not find (and a number a contact holds is not searched
 *   among leads: contacts come first), so a lookup costs two credits plus one or two per number
 *   stored oddly or not at all, rather than two per number.
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
/** "You can include a maximum of 25 criteria in the WHERE clause": 12 lists, each on two fields. */
const COQL_LISTS_PER_QUERY = 12;
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
  const base = await links();
  const found: CrmRecord[] = [];
  const add = (rows: Found[]) => found.push(...rows.map(({ row, type }) => toCrmRecord(row, type, base)));
  const held = (number: NumberToFind, type?: RecordType) =>
    found.some(
      (record) =>
        (type === undefined || record.type === type) &&
        record.phones.some((phone) => number.isHeldIn(phone, context.defaultRegion)),
    );
  for (const type of ['contact', 'lead'] as const) add(await queryExact(transport, type, distinct));
  for (const number of distinct) {
    if (held(number, 'contact')) continue;
    add(await searchPhone(transport, 'contact', number));
    if (held(number)) continue;
    add(await searchPhone(transport, 'lead', number));
  }
  const records = [...new Map(found.map((record) => [`${record.type}:${record.id}`, record])).values()].sort(
    contactsFirst,
  );
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

/**
 * The exact spellings, in as few queries as the limits allow: 50 values an `in`, each list asked of
 * Phone and of Mobile, up to 12 lists (24 of the 25 criteria) a query, the criteria bracketed in pairs
 * as "(A or (B or C))" (Query API - Limitations: more than two criteria must be so bracketed).
 */
async function queryExact(
  transport: ZohoTransport,
  type: RecordType,
  numbers: readonly NumberToFind[],
): Promise<Found[]> {
  const spellings = [...new Set(numbers.flatMap((n) => n.spellings))];
  const lists: string[] = [];
  for (let start = 0; start < spellings.length; start += COQL_IN_VALUES)
    lists.push(
      spellings
        .slice(start, start + COQL_IN_VALUES)
        .map(coqlString)
        .join(', '),
    );
  const found: Found[] = [];
  for (let start = 0; start < lists.length; start += COQL_LISTS_PER_QUERY) {
    const criteria = lists
      .slice(start, start + COQL_LISTS_PER_QUERY)
      .flatMap((list) => [`Phone in (${list})`, `Mobile in (${list})`]);
    const where = criteria.reduceRight((inner, criterion) => `(${criterion} or ${inner})`);
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
