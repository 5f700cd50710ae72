import { toId18 } from '../ids.js';
import type { FieldDef, FieldValue } from '../schema/types.js';
import type { Condition, FieldPath, Literal } from './ast.js';
import { likeToRegExp, malformedQuery } from './lexer.js';
import type { ResolvedPath } from './resolve.js';

/** Reads a resolved path on one record (walking lookups); supplied by the executor. */
export type PathReader = (path: ResolvedPath) => FieldValue;

/** A WHERE clause whose field paths are resolved and whose literals were checked against field types. */
export type ResolvedCondition =
  | { kind: 'and' | 'or'; operands: ResolvedCondition[] }
  | { kind: 'not'; operand: ResolvedCondition }
  | { kind: 'compare'; path: ResolvedPath; operator: string; value: FieldValue }
  | { kind: 'in'; path: ResolvedPath; negated: boolean; values: FieldValue[] }
  | { kind: 'like'; path: ResolvedPath; pattern: RegExp };

const NUMERIC = new Set(['double', 'currency', 'int']);
const ID_TYPES = new Set(['id', 'reference']);

/**
 * Checks each literal against its field's type the way the org does (no quotes round booleans and
 * numbers, valid ids for id fields) and converts it to the stored representation.
 */
export function resolveCondition(
  condition: Condition,
  resolve: (path: FieldPath) => ResolvedPath,
  query: string,
): ResolvedCondition {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return {
        kind: condition.kind,
        operands: condition.operands.map((c) => resolveCondition(c, resolve, query)),
      };
    case 'not':
      return { kind: 'not', operand: resolveCondition(condition.operand, resolve, query) };
    case 'compare': {
      const path = resolve(condition.field);
      return {
        kind: 'compare',
        path,
        operator: condition.operator,
        value: literalFor(path.leaf, condition.value, query, condition.offset),
      };
    }
    case 'in': {
      const path = resolve(condition.field);
      const values = condition.values.map((v) => literalFor(path.leaf, v, query, condition.offset));
      return { kind: 'in', path, negated: condition.negated, values };
    }
    case 'like': {
      const path = resolve(condition.field);
      if (condition.value.kind !== 'string' || NUMERIC.has(path.leaf.type) || path.leaf.type === 'boolean') {
        throw filterError(query, condition.offset, `invalid operator on field '${path.leaf.name}': LIKE`);
      }
      return { kind: 'like', path, pattern: likeToRegExp(condition.value.likeText) };
    }
  }
}

function literalFor(field: FieldDef, literal: Literal, query: string, offset: number): FieldValue {
  if (literal.kind === 'null') return null;
  if (field.type === 'base64')
    throw filterError(query, offset, `field '${field.name}' can not be filtered in a query call`);
  if (field.type === 'boolean') {
    if (literal.kind === 'boolean') return literal.value;
    throw filterError(query, offset, typeMessage(field, 'boolean'));
  }
  if (NUMERIC.has(field.type)) {
    if (literal.kind === 'number') return literal.value;
    throw filterError(query, offset, typeMessage(field, 'double'));
  }
  if (field.type === 'datetime' || field.type === 'date') {
    const wantDate = field.type === 'date';
    if (literal.kind === 'datetime' && literal.dateOnly === wantDate)
      return wantDate ? literal.text : literal.ms;
    throw filterError(query, offset, typeMessage(field, wantDate ? 'date' : 'dateTime'));
  }
  if (literal.kind !== 'string') {
    throw filterError(
      query,
      offset,
      `value of filter criterion for field '${field.name}' must be of type string and should be enclosed in quotes`,
    );
  }
  if (ID_TYPES.has(field.type)) {
    const id = toId18(literal.value);
    if (id === undefined) throw filterError(query, offset, `invalid ID field: ${literal.value}`);
    return id;
  }
  return literal.value;
}

function typeMessage(field: FieldDef, type: string): string {
  return `value of filter criterion for field '${field.name}' must be of type ${type} and should not be enclosed in quotes`;
}

function filterError(query: string, offset: number, detail: string) {
  return malformedQuery(query, offset, detail, 'INVALID_QUERY_FILTER_OPERATOR');
}

/**
 * Text compares ignoring case, as SOQL does, but otherwise exactly: '(11) 98765-4321' is not
 * '+5511987654321'. Ids compare in their 18-char form; datetimes by instant.
 */
export function compareValues(field: FieldDef, stored: FieldValue, wanted: FieldValue): number | undefined {
  if (stored === null || wanted === null) return stored === wanted ? 0 : undefined;
  if (field.type === 'datetime' && typeof stored === 'string') {
    // A literal in a filter arrives as epoch milliseconds; ORDER BY compares two stored values.
    const other = typeof wanted === 'string' ? Date.parse(wanted) : Number(wanted);
    return Math.sign(Date.parse(stored) - other);
  }
  if (typeof stored === 'number' && typeof wanted === 'number') return Math.sign(stored - wanted);
  if (typeof stored === 'boolean' || typeof wanted === 'boolean') return stored === wanted ? 0 : 1;
  const a = ID_TYPES.has(field.type) ? String(stored) : String(stored).toLowerCase();
  const b = ID_TYPES.has(field.type) ? String(wanted) : String(wanted).toLowerCase();
  return a === b ? 0 : a < b ? -1 : 1;
}

export function matches(condition: ResolvedCondition, read: PathReader): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.operands.every((c) => matches(c, read));
    case 'or':
      return condition.operands.some((c) => matches(c, read));
    case 'not':
      return !matches(condition.operand, read);
    case 'like': {
      const value = read(condition.path);
      return value !== null && condition.pattern.test(String(value));
    }
    case 'in': {
      const value = read(condition.path);
      const found = condition.values.some((v) => compareValues(condition.path.leaf, value, v) === 0);
      return condition.negated ? !found : found;
    }
    case 'compare': {
      const order = compareValues(condition.path.leaf, read(condition.path), condition.value);
      switch (condition.operator) {
        case '=':
          return order === 0;
        case '!=':
          return order !== 0;
        case '<':
          return order === -1;
        case '<=':
          return order === -1 || order === 0;
        case '>':
          return order === 1;
        default:
          return order === 1 || order === 0;
      }
    }
  }
}
