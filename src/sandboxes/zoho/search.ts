import type { FastifyInstance } from 'fastify';
import { countConditions, meets, parseCriteria } from './criteria.js';
import { pageParameter, ZohoApiError } from './errors.js';
import { MODULE_FIELDS, type PersonModule, phoneFields } from './fields.js';
import type { StoredRecord, ZohoOrg } from './org.js';
import { parseFieldsParam, pickFields, recordView } from './record-writes.js';
import { personModule } from './records.js';

interface SearchQuery {
  phone?: string;
  criteria?: string;
  word?: string;
  email?: string;
  fields?: string;
  page?: string;
  per_page?: string;
}

/**
 * The digits of a phone number, which is how the sandbox's search index tokenises phone fields: a
 * `phone=` search matches a record when the digits of one of its phone fields equal the digits of
 * the query, whatever the punctuation, spaces or `+` (so `+55 (11) 98765-4321` matches
 * `5511987654321`). Unverified: Zoho does not document how its phone search normalises numbers; the
 * sandbox takes the stricter whole-number match (no suffix or national-format matching), so a stored
 * `(11) 98765-4321` is not found by `5511987654321`.
 */
export function phoneDigits(value: string): string {
  return value.replace(/\D/g, '');
}

/**
 * `GET /crm/v8/{module}/search` with one of `phone`, `criteria`, `word`, `email` (record.json,
 * searchRecords; the crm-apis notes §2.2). Search reads the search index, which sees a write only
 * after the configured lag; no match is 204 with an empty body (the notes §2.2, and getRecord.md's
 * 204 for "no record matches"). Converted leads are never found. `per_page` is at most 200.
 */
export function searchRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { module: string }; Querystring: SearchQuery }>(
      '/:module/search',
      async (request, reply) => {
        const module = personModule(request.params.module);
        const query = request.query;
        const given = (['phone', 'criteria', 'word', 'email'] as const).filter(
          (name) => query[name] !== undefined,
        );
        if (given.length === 0)
          // notes.json `Note_API_Exception` carries REQUIRED_PARAM_MISSING, "One of the expected parameter is missing".
          throw new ZohoApiError(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
            param_name: 'criteria|email|phone|word',
          });
        const match = matcher(module, query);
        const page = pageParameter(query.page, 1, 'page');
        const perPage = pageParameter(query.per_page, 200, 'per_page');
        if (perPage > 200)
          throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
            api_name: 'per_page',
            maximum_length: 200,
          });
        const hits = org
          .live(module)
          .filter((record) => {
            const view = org.searchView(record);
            return view !== undefined && match(view);
          })
          .sort((a, b) => (a.id < b.id ? 1 : -1));
        const slice = hits.slice((page - 1) * perPage, page * perPage);
        if (slice.length === 0) return reply.status(204).send();
        const fields = parseFieldsParam(query.fields);
        return {
          data: slice.map((record: StoredRecord) => pickFields(recordView(record), fields)),
          info: { per_page: perPage, count: slice.length, page, more_records: hits.length > page * perPage },
        };
      },
    );
  };
}

function matcher(module: PersonModule, query: SearchQuery): (fields: Record<string, unknown>) => boolean {
  if (query.phone !== undefined) {
    const wanted = phoneDigits(query.phone);
    if (wanted === '')
      throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', { api_name: 'phone', param_name: 'phone' });
    const fields = phoneFields(module);
    return (stored) =>
      fields.some((name) => typeof stored[name] === 'string' && phoneDigits(stored[name]) === wanted);
  }
  if (query.criteria !== undefined) {
    const criteria = parseCriteria(query.criteria);
    if (countConditions(criteria) > 10)
      throw new ZohoApiError(400, 'INVALID_QUERY', 'Invalid query formed', {
        reason: 'more than 10 conditions',
      });
    checkFields(module, criteria);
    return (stored) => meets(criteria, stored);
  }
  if (query.email !== undefined) {
    const wanted = query.email.toLowerCase();
    return (stored) => typeof stored.Email === 'string' && stored.Email.toLowerCase() === wanted;
  }
  // word=: any text field containing the word, case-insensitively (unverified: Zoho's word search is a
  // full-text search whose tokenising is not documented).
  const word = (query.word ?? '').toLowerCase();
  if (word.length < 2)
    // The crm-apis notes: a word needs at least 2 characters (unverified).
    throw new ZohoApiError(400, 'INVALID_QUERY', 'Invalid query formed', {
      reason: 'word needs two characters',
    });
  return (stored) =>
    Object.values(stored).some((value) => typeof value === 'string' && value.toLowerCase().includes(word));
}

function checkFields(module: PersonModule, criteria: ReturnType<typeof parseCriteria>): void {
  if (criteria.kind === 'group') {
    for (const part of criteria.parts) checkFields(module, part);
    return;
  }
  if (!(criteria.field in MODULE_FIELDS[module]))
    throw new ZohoApiError(400, 'INVALID_QUERY', 'Invalid query formed', {
      reason: 'invalid column',
      api_name: criteria.field,
    });
}
