import { SalesforceError } from '../errors.js';
import { executeSoql } from '../soql/execute.js';
import { malformedQuery } from '../soql/lexer.js';
import type { SchemaLookup } from '../store/field-security.js';
import type { OrgStore } from '../store/org-store.js';
import { parseSosl, type ReturningSpec } from './parser.js';
import type { IndexedRecord } from './search-index.js';
import { MAX_SEARCH_QUERY_LENGTH, matchesPhones } from './search-query.js';

/**
 * "SOSL has … an overall limit of 2,000 results returned" (SOSL reference, SOSL Limits); LIMIT may
 * ask for fewer ("up to 2,000").
 */
const MAX_RESULTS = 2000;

/**
 * Runs a SOSL search: finds records in the (lagging) index, then reads each RETURNING object's rows
 * through the SOQL engine, restricted to the records found, so field lists, WHERE, ORDER BY and LIMIT
 * behave as in SOQL and the fields answered are the records' current ones. Rows come object by object
 * in RETURNING order (unverified: an org may order them by relevance across objects).
 */
export function executeSosl(
  store: OrgStore,
  index: ReadonlyMap<string, IndexedRecord>,
  sosl: string,
  options: { version: string; schema: SchemaLookup },
): Record<string, unknown>[] {
  const { version, schema } = options;
  const query = parseSosl(sosl);
  if (query.searchGroup !== 'PHONE') {
    throw new SalesforceError({
      status: 501,
      errorCode: 'NOT_IMPLEMENTED_BY_SANDBOX',
      message: `The sandbox searches IN PHONE FIELDS only, not IN ${query.searchGroup} FIELDS.`,
    });
  }
  const found = new Map<string, string[]>();
  if (query.searchQueryLength <= MAX_SEARCH_QUERY_LENGTH) {
    for (const [id, record] of index) {
      if (!matchesPhones(query.expr, record.phoneDigits)) continue;
      const type = record.type.toLowerCase();
      found.set(type, [...(found.get(type) ?? []), id]);
    }
  }
  const limit = Math.min(query.limit ?? MAX_RESULTS, MAX_RESULTS);
  const rows: Record<string, unknown>[] = [];
  for (const spec of query.returning) {
    const ids = found.get(store.schema.find(spec.object)?.name.toLowerCase() ?? '') ?? [];
    rows.push(...rowsOf(store, spec, ids, { sosl, version, schema }));
  }
  return rows.slice(0, limit);
}

/** One RETURNING object's rows as SOQL would answer them, errors pointed at the SOSL statement. */
function rowsOf(
  store: OrgStore,
  spec: ReturningSpec,
  ids: readonly string[],
  context: { sosl: string; version: string; schema: SchemaLookup },
): Record<string, unknown>[] {
  // `Id = null` matches nothing but still has the org check the object, fields and WHERE.
  const found = ids.length > 0 ? `Id IN (${ids.map((id) => `'${id}'`).join(', ')})` : 'Id = null';
  const where = spec.where === undefined ? found : `${found} AND (${spec.where})`;
  const soql = `SELECT ${spec.fields ?? 'Id'} FROM ${spec.object} WHERE ${where} ${spec.tail}`;
  try {
    return executeSoql(store, soql, { version: context.version, schema: context.schema }).records;
  } catch (error) {
    if (!(error instanceof SalesforceError)) throw error;
    const detail = error.message.split('\n').slice(4).join('\n') || error.message;
    const code = error.errorCode === 'MALFORMED_QUERY' ? 'MALFORMED_SEARCH' : error.errorCode;
    throw malformedQuery(context.sosl, spec.offset, detail, code);
  }
}
