import type { FastifyInstance } from 'fastify';
import { ZohoApiError } from './errors.js';
import { DEAL_FIELDS, MODULE_FIELDS, type ModuleName, SYSTEM_FIELDS } from './fields.js';
import type { StoredRecord, ZohoOrg } from './org.js';
import { recordView } from './record-writes.js';

type Condition =
  | { kind: 'compare'; field: string; operator: '=' | '!=' | 'like' | 'in'; values: string[] }
  | { kind: 'join'; join: 'and' | 'or'; left: Condition; right: Condition };

interface Query {
  fields: string[];
  module: ModuleName;
  where: Condition;
  orderBy: { field: string; descending: boolean } | undefined;
  offset: number;
  limit: number;
}

// Every message and details shape below is one of coql/mds/examples/executeCOQLQuery.md's examples.
const syntaxError = (near: string) =>
  new ZohoApiError(400, 'SYNTAX_ERROR', 'error occured while parsing the query', { near });
const unsupportedColumn = (column: string) =>
  new ZohoApiError(400, 'INVALID_QUERY', 'unsupported column', { column_name: column });

/**
 * `POST /crm/v8/coql` (crm-oas v8.0/coql.json), the subset an adapter sends: `select f, … from
 * Module where … [order by F [asc|desc]] [limit [offset,] n]`, the where clause of `=`, `!=`, `like`
 * and `in` joined by and/or in parentheses. Matching is exact and case-sensitive (unverified; the
 * stricter reading) and reads the records themselves, with no index lag. Where is mandatory
 * (SYNTAX_ERROR "missing clause"); at most 25 conditions and a limit up to 2000, default 200 (the
 * crm-apis notes §2.2; unverified). No row is 204 with no body (unverified: as the record APIs).
 */
export function coqlRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.post('/coql', async (request, reply) => {
      const selectQuery = (request.body as { select_query?: unknown } | null)?.select_query;
      if (typeof selectQuery !== 'string' || selectQuery.trim() === '')
        throw new ZohoApiError(400, 'MANDATORY_NOT_FOUND', 'mandatory key not found', {
          api_name: 'select_query',
        });
      const query = parseQuery(selectQuery);
      const rows = org
        .live(query.module)
        .filter((record) => matches(query.where, record))
        .sort(order(query));
      const page = rows.slice(query.offset, query.offset + query.limit);
      if (page.length === 0) return reply.status(204).send();
      return {
        data: page.map((record) => {
          const view = recordView(record);
          const row: Record<string, unknown> = { id: record.id };
          for (const field of query.fields) row[field] = view[field] ?? null;
          return row;
        }),
        info: { count: page.length, more_records: rows.length > query.offset + query.limit },
      };
    });
  };
}

function fieldsOf(module: ModuleName): string[] {
  return module === 'Deals'
    ? [...DEAL_FIELDS, ...SYSTEM_FIELDS]
    : [...Object.keys(MODULE_FIELDS[module]), ...SYSTEM_FIELDS];
}

function tokenise(source: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(?:('(?:[^']|'')*')|(!=|[(),=])|([A-Za-z_$][A-Za-z0-9_.$]*)|(\d+))/y;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    pattern.lastIndex = position;
    const match = pattern.exec(source);
    if (!match) throw syntaxError(source.slice(position).trim().split(/\s+/)[0] ?? '');
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
    position = pattern.lastIndex;
  }
  return tokens;
}

export function parseQuery(source: string): Query {
  const tokens = tokenise(source);
  let at = 0;
  const peek = () => tokens[at];
  const keyword = (word: string) => peek()?.toLowerCase() === word;
  const take = () => {
    const token = tokens[at];
    if (token === undefined) throw syntaxError('');
    at += 1;
    return token;
  };
  const expect = (word: string) => {
    if (!keyword(word)) throw syntaxError(peek() ?? '');
    at += 1;
  };

  expect('select');
  const fields = [take()];
  while (peek() === ',') {
    at += 1;
    fields.push(take());
  }
  expect('from');
  const moduleName = take();
  if (moduleName !== 'Contacts' && moduleName !== 'Leads' && moduleName !== 'Deals')
    throw new ZohoApiError(400, 'INVALID_MODULE', 'the given module is not supported in api');
  const module: ModuleName = moduleName;
  const known = fieldsOf(module);
  for (const field of fields) if (!known.includes(field)) throw unsupportedColumn(field);
  if (new Set(fields).size !== fields.length)
    throw new ZohoApiError(400, 'DUPLICATE_DATA', 'duplicate select column', { column_name: fields[0] });
  if (!keyword('where')) throw new ZohoApiError(400, 'SYNTAX_ERROR', 'missing clause', { clause: 'where' });
  at += 1;

  let conditions = 0;
  const value = (): string => {
    const token = take();
    if (!token.startsWith("'")) throw syntaxError(token);
    return token.slice(1, -1).replaceAll("''", "'");
  };
  const comparison = (): Condition => {
    if (peek() === '(') {
      at += 1;
      const inner = expression();
      if (take() !== ')') throw syntaxError(tokens[at - 1] ?? '');
      return inner;
    }
    const field = take();
    if (!known.includes(field)) throw unsupportedColumn(field);
    conditions += 1;
    const operator = take().toLowerCase();
    if (operator === 'in') {
      if (take() !== '(') throw syntaxError(tokens[at - 1] ?? '');
      const values = [value()];
      while (peek() === ',') {
        at += 1;
        values.push(value());
      }
      if (take() !== ')') throw syntaxError(tokens[at - 1] ?? '');
      // "in (up to 50 values)" (Query API - Limitations); the code of the refusal is unverified.
      if (values.length > 50)
        throw new ZohoApiError(400, 'INVALID_QUERY', 'Invalid query formed', {
          reason: 'more than 50 values for in',
          column_name: field,
        });
      return { kind: 'compare', field, operator: 'in', values };
    }
    if (operator !== '=' && operator !== '!=' && operator !== 'like')
      throw new ZohoApiError(400, 'INVALID_QUERY', 'Invalid query formed', {
        reason: 'invalid operator found',
        column_name: field,
        operator,
      });
    return { kind: 'compare', field, operator, values: [value()] };
  };
  // "If WHERE has more than two criteria such as A, B, and C, use them as (A and (B and C)) or
  // ((A and B) and C)" (Zoho CRM API, Query API - Limitations): two criteria a bracket at most.
  const expression = (): Condition => {
    let left = comparison();
    if (keyword('and') || keyword('or')) {
      const join = take().toLowerCase() as 'and' | 'or';
      left = { kind: 'join', join, left, right: comparison() };
    }
    if (keyword('and') || keyword('or')) throw syntaxError(peek() ?? '');
    return left;
  };
  const where = expression();
  if (conditions > 25)
    throw new ZohoApiError(400, 'INVALID_QUERY', 'Invalid query formed', { reason: 'more than 25 criteria' });

  let orderBy: Query['orderBy'];
  if (keyword('order')) {
    at += 1;
    expect('by');
    const field = take();
    if (!known.includes(field)) throw unsupportedColumn(field);
    const descending = keyword('desc');
    if (keyword('asc') || keyword('desc')) at += 1;
    orderBy = { field, descending };
  }
  let offset = 0;
  let limit = 200;
  if (keyword('limit')) {
    at += 1;
    const first = limitNumber(take());
    if (peek() === ',') {
      at += 1;
      offset = first;
      limit = limitNumber(take());
    } else limit = first;
    if (limit <= 0) throw new ZohoApiError(400, 'INVALID_DATA', 'limit should be greater than 0');
    if (limit > 2000)
      throw new ZohoApiError(400, 'INVALID_QUERY', 'limit given seems to be invalid', {
        limit: String(limit),
      });
  }
  if (at !== tokens.length) throw syntaxError(peek() ?? '');
  return { fields, module, where, orderBy, offset, limit };
}

function limitNumber(token: string): number {
  if (!/^\d+$/.test(token))
    throw new ZohoApiError(400, 'INVALID_QUERY', 'limit given seems to be invalid', { limit: token });
  return Number(token);
}

/** A field's value as COQL compares it: a lookup (Contact_Name) by its id. */
function comparable(record: StoredRecord, field: string): string | undefined {
  const view = recordView(record);
  const stored = view[field];
  if (typeof stored === 'string') return stored;
  if (stored && typeof stored === 'object' && 'id' in stored) return String((stored as { id: unknown }).id);
  return undefined;
}

function matches(condition: Condition, record: StoredRecord): boolean {
  if (condition.kind === 'join')
    return condition.join === 'and'
      ? matches(condition.left, record) && matches(condition.right, record)
      : matches(condition.left, record) || matches(condition.right, record);
  const stored = comparable(record, condition.field);
  const [first = ''] = condition.values;
  switch (condition.operator) {
    case '=':
      return stored === first;
    case '!=':
      return stored !== first;
    case 'in':
      return stored !== undefined && condition.values.includes(stored);
    default:
      return stored !== undefined && likePattern(first).test(stored);
  }
}

function likePattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*');
  return new RegExp(`^${escaped}$`);
}

function order(query: Query) {
  return (a: StoredRecord, b: StoredRecord): number => {
    if (!query.orderBy) return a.id < b.id ? -1 : 1;
    const field = query.orderBy.field;
    const left =
      field === 'Modified_Time'
        ? a.modifiedAt
        : field === 'Created_Time'
          ? a.createdAt
          : String(recordView(a)[field] ?? '');
    const right =
      field === 'Modified_Time'
        ? b.modifiedAt
        : field === 'Created_Time'
          ? b.createdAt
          : String(recordView(b)[field] ?? '');
    const sign = query.orderBy.descending ? -1 : 1;
    return left < right ? -sign : left > right ? sign : 0;
  };
}
