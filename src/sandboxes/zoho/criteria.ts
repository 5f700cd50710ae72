import { ZohoApiError } from './errors.js';

/** A parsed search `criteria`: conditions joined by and/or, grouped by parentheses. */
export type Criteria =
  | { kind: 'condition'; field: string; operator: string; value: string }
  | { kind: 'group'; join: 'and' | 'or'; parts: Criteria[] };

/** Operators the sandbox takes on text and phone fields (record.json search criteria). */
const OPERATORS = new Set(['equals', 'not_equal', 'starts_with', 'in']);

/**
 * Parses Zoho's search criteria, `((Phone:equals:+1555)or(Mobile:equals:+1555))`: each condition
 * `(field:operator:value)` in parentheses, groups joined by `and`/`or`; `\(`, `\)` and `\,` in a
 * value stand for the character itself (the crm-apis notes §2.2; unverified beyond them). Anything
 * else is refused as 400 INVALID_QUERY (unverified: the code for a malformed criteria).
 */
export function parseCriteria(source: string): Criteria {
  let position = 0;
  const fail = (reason: string): never => {
    throw new ZohoApiError(400, 'INVALID_QUERY', 'Invalid query formed', { reason, position });
  };

  const sequence = (): Criteria => {
    const parts = [group()];
    let join: 'and' | 'or' | undefined;
    while (position < source.length && source[position] !== ')') {
      const rest = source.slice(position).toLowerCase();
      const next = rest.startsWith('and') ? 'and' : rest.startsWith('or') ? 'or' : fail('expected and/or');
      if (join && join !== next) fail('mixed and/or without parentheses');
      join = next;
      position += next.length;
      parts.push(group());
    }
    return parts.length === 1 ? (parts[0] as Criteria) : { kind: 'group', join: join ?? 'and', parts };
  };

  const group = (): Criteria => {
    if (source[position] !== '(') fail('expected (');
    position += 1;
    const inner = source[position] === '(' ? sequence() : condition();
    if (source[position] !== ')') fail('expected )');
    position += 1;
    return inner;
  };

  const condition = (): Criteria => {
    let raw = '';
    while (position < source.length && source[position] !== ')') {
      if (source[position] === '\\' && position + 1 < source.length) position += 1;
      raw += source[position];
      position += 1;
    }
    const first = raw.indexOf(':');
    const second = raw.indexOf(':', first + 1);
    if (first <= 0 || second < 0) fail('a condition is field:operator:value');
    const operator = raw.slice(first + 1, second);
    if (!OPERATORS.has(operator)) fail(`operator ${operator} is not supported`);
    return { kind: 'condition', field: raw.slice(0, first), operator, value: raw.slice(second + 1) };
  };

  const parsed = sequence();
  if (position !== source.length) fail('unexpected text after the criteria');
  return parsed;
}

/** Conditions in a criteria; Zoho takes at most 10 (crm-apis notes §2.2; unverified). */
export function countConditions(criteria: Criteria): number {
  return criteria.kind === 'condition'
    ? 1
    : criteria.parts.reduce((sum, part) => sum + countConditions(part), 0);
}

/**
 * Whether a record's indexed fields meet the criteria. `equals` on a text field behaves like
 * "contains", case-insensitively (the crm-apis notes: so in v7/v8; unverified, and the looser match
 * is the one a client must survive, since it must confirm each hit).
 */
export function meets(criteria: Criteria, fields: Record<string, unknown>): boolean {
  if (criteria.kind === 'group')
    return criteria.join === 'and'
      ? criteria.parts.every((part) => meets(part, fields))
      : criteria.parts.some((part) => meets(part, fields));
  const stored = fields[criteria.field];
  const text = typeof stored === 'string' ? stored.toLowerCase() : '';
  const wanted = criteria.value.toLowerCase();
  switch (criteria.operator) {
    case 'equals':
      return text !== '' && text.includes(wanted);
    case 'not_equal':
      return !text.includes(wanted);
    case 'starts_with':
      return text !== '' && text.startsWith(wanted);
    default:
      return wanted.split(',').some((value) => value !== '' && text === value);
  }
}
