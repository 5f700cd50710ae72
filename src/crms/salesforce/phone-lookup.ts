/**
 * Finding WhatsApp numbers among contacts and leads, however the org spells them. Two paths, merged:
 *
 * - SOSL `FIND {…} IN PHONE FIELDS`, searching every digit string the number may be stored under
 *   (numberToFind), many numbers OR-ed in one search. Salesforce does not document how its index
 *   tokenises phone numbers, so each hit is confirmed here by reading the record's Phone and
 *   MobilePhone with the workspace's default region.
 * - SOQL on the exact spellings, for records the search index cannot see yet: "it could take about 15
 *   minutes or more for the updated text to become searchable" (Best Practices for Deployments with
 *   Large Data Volumes, Search Architecture). Restricting it to records modified within the last
 *   UNINDEXED_WINDOW_MS keeps it selective (SystemModstamp is indexed), while SOSL covers the rest.
 *   A chat left unmatched is looked up again within the hour, so a record the index takes longer
 *   than the window to reach is found on a later run.
 */
import { type NumberToFind, numberToFind } from '../../core/phone-lookup.js';
import type { CrmRecord, LookupContext, PhoneLookup, RecordType } from '../types.js';
import { OBJECT_OF, RECORD_FIELDS, type SoqlRow, toCrmRecord } from './mapping.js';
import { queryMany } from './query.js';
import { soqlList } from './soql.js';
import { anyOf, SEARCH_QUERY_MAX } from './sosl.js';
import type { SalesforceTransport } from './transport.js';

/** Records modified this recently may not be searchable yet; they are matched by exact spellings. */
const UNINDEXED_WINDOW_MS = 2 * 60 * 60 * 1000;
/** "SOSL has … an overall limit of 2,000 results returned" (SOSL reference, SOSL Limits). */
const MAX_SEARCH_RESULTS = 2000;
/** "By default, 100,000 characters" per SOQL statement (Salesforce Developer Limits, SOQL and SOSL). */
const MAX_SOQL_LENGTH = 100_000;

const FIELDS = RECORD_FIELDS.join(', ');
const RETURNING = `RETURNING Contact(${FIELDS}), Lead(${FIELDS} WHERE IsConverted = false)`;

interface Found {
  row: SoqlRow;
  type: RecordType;
}

export async function findRecordsByPhone(
  transport: SalesforceTransport,
  numbers: readonly PhoneLookup[],
  context: LookupContext & { now: number },
): Promise<Map<string, CrmRecord[]>> {
  const result = new Map<string, CrmRecord[]>();
  if (numbers.length === 0) return result;
  const targets = numbers.map((n) => ({ key: n.key, number: numberToFind(n.phone) }));
  const distinct = [...new Map(targets.map((t) => [t.number.e164, t.number])).values()];
  const found = [
    ...(await searchIndexed(transport, distinct)),
    ...(await queryUnindexed(transport, distinct, context.now)),
  ];
  const instanceUrl = await transport.instanceUrl();
  const records = [
    ...new Map(found.map(({ row, type }) => [String(row.Id), toCrmRecord(row, type, instanceUrl)])).values(),
  ].sort(contactsFirst);
  for (const { key, number } of targets) {
    const holds = (record: CrmRecord) => record.phones.some((p) => number.isHeldIn(p, context.defaultRegion));
    result.set(key, records.filter(holds));
  }
  return result;
}

/** Contacts before leads; among each, the one created first (Salesforce ids sort by creation). */
function contactsFirst(a: CrmRecord, b: CrmRecord): number {
  if (a.type !== b.type) return a.type === 'contact' ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** As few searches as the 4,000-character search query allows, each for as many numbers as fit. */
async function searchIndexed(
  transport: SalesforceTransport,
  numbers: readonly NumberToFind[],
): Promise<Found[]> {
  const found: Found[] = [];
  for (const batch of searchBatches(numbers)) found.push(...(await search(transport, batch)));
  return found;
}

function searchBatches(numbers: readonly NumberToFind[]): NumberToFind[][] {
  // Each number costs its OR-ed terms plus the ` OR ` joining it to the others (terms two numbers
  // share are counted twice, which errs on the short side).
  return chunksWithin(
    numbers,
    (n) => anyOf(n.searchTerms).length + ' OR '.length,
    SEARCH_QUERY_MAX + ' OR '.length,
  );
}

function searchQueryOf(numbers: readonly NumberToFind[]): string {
  return anyOf([...new Set(numbers.flatMap((n) => n.searchTerms))]);
}

/** One search; a full answer (2,000 rows) may have left records out, so its numbers are split. */
async function search(transport: SalesforceTransport, numbers: readonly NumberToFind[]): Promise<Found[]> {
  const sosl = `FIND {${searchQueryOf(numbers)}} IN PHONE FIELDS ${RETURNING}`;
  const answer = await transport.request<{ searchRecords: SoqlRow[] }>(
    'GET',
    `search?q=${encodeURIComponent(sosl)}`,
  );
  const rows = answer.body.searchRecords;
  if (rows.length >= MAX_SEARCH_RESULTS && numbers.length > 1) {
    const half = Math.ceil(numbers.length / 2);
    return [
      ...(await search(transport, numbers.slice(0, half))),
      ...(await search(transport, numbers.slice(half))),
    ];
  }
  return rows.map((row) => ({ row, type: row.attributes?.type === 'Lead' ? 'lead' : 'contact' }));
}

/** Exact spellings among contacts and leads modified within the window: the records SOSL may miss. */
async function queryUnindexed(
  transport: SalesforceTransport,
  numbers: readonly NumberToFind[],
  now: number,
): Promise<Found[]> {
  const since = new Date(now - UNINDEXED_WINDOW_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const spellings = [...new Set(numbers.flatMap((n) => n.spellings))];
  const queries: { type: RecordType; soql: string }[] = [];
  for (const type of ['contact', 'lead'] as const) {
    const converted = type === 'lead' ? 'IsConverted = false AND ' : '';
    const statement = (list: string) =>
      `SELECT ${FIELDS} FROM ${OBJECT_OF[type]} WHERE ${converted}SystemModstamp >= ${since} AND (Phone IN ${list} OR MobilePhone IN ${list})`;
    // The list appears twice; each value costs its literal and the `, ` after it, twice.
    const budget = MAX_SOQL_LENGTH - statement('()').length + 2 * ', '.length;
    for (const chunk of chunksWithin(
      spellings,
      (value) => 2 * (soqlList([value]).length - 2 + ', '.length),
      budget,
    )) {
      queries.push({ type, soql: statement(soqlList(chunk)) });
    }
  }
  const answers = await queryMany(
    transport,
    queries.map((q) => q.soql),
  );
  return answers.flatMap((rows, i) => rows.map((row) => ({ row, type: queries[i]?.type ?? 'contact' })));
}

/** Consecutive chunks whose values' costs add up to no more than the budget (one value at least). */
function chunksWithin<T>(values: readonly T[], costOf: (value: T) => number, budget: number): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let spent = 0;
  for (const value of values) {
    const cost = costOf(value);
    if (chunk.length > 0 && spent + cost > budget) {
      chunks.push(chunk);
      chunk = [];
      spent = 0;
    }
    chunk.push(value);
    spent += cost;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
