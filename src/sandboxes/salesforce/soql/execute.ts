import { readField, recordAttributes } from '../record-view.js';
import type { FieldValue, SObjectDef } from '../schema/types.js';
import type { SchemaLookup } from '../store/field-security.js';
import type { OrgStore, StoredRecord } from '../store/org-store.js';
import type { Condition, SelectQuery } from './ast.js';
import { compareValues, matches, resolveCondition } from './filter.js';
import { malformedQuery } from './lexer.js';
import { parseSoql } from './parser.js';
import { type ResolvedPath, resolvePath } from './resolve.js';

export interface SoqlResult {
  totalSize: number;
  records: Record<string, unknown>[];
}

/**
 * Runs one SOQL statement against the store and shapes rows as the REST API does: `attributes`
 * first, parent fields nested under the relationship name (null when there is no parent).
 */
export function executeSoql(
  store: OrgStore,
  query: string,
  options: { version: string; schema: SchemaLookup },
): SoqlResult {
  const { version, schema } = options;
  const parsed = parseSoql(query);
  const def = schema.find(parsed.from.name);
  if (!def) {
    throw malformedQuery(
      query,
      parsed.from.offset,
      `sObject type '${parsed.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      'INVALID_TYPE',
    );
  }
  const resolve = (path: Parameters<typeof resolvePath>[2]) => resolvePath(schema, def, path, query);
  const select = parsed.select === 'count' ? [] : parsed.select.map(resolve);
  const where = parsed.where ? resolveCondition(parsed.where, resolve, query) : undefined;
  const order = parsed.orderBy.map((item) => ({ ...item, path: resolve(item.field) }));
  if (def.name === 'ContentDocumentLink') requireLinkFilter(parsed, query);

  const reader = (record: StoredRecord) => (path: ResolvedPath) => readPath(store, record, path, version);
  let rows = store.all(def.name).filter((r) => !where || matches(where, reader(r)));
  if (order.length > 0) {
    rows = [...rows].sort((a, b) => {
      for (const item of order) {
        const left = readPath(store, a, item.path, version);
        const right = readPath(store, b, item.path, version);
        if (left === null || right === null) {
          if (left === right) continue;
          return (left === null) === item.nullsLast ? 1 : -1;
        }
        const cmp = compareValues(item.path.leaf, left, right) ?? 0;
        if (cmp !== 0) return item.descending ? -cmp : cmp;
      }
      return 0;
    });
  }
  rows = rows.slice(
    parsed.offset ?? 0,
    parsed.limit === undefined ? undefined : (parsed.offset ?? 0) + parsed.limit,
  );
  if (parsed.select === 'count') return { totalSize: rows.length, records: [] };
  return { totalSize: rows.length, records: rows.map((r) => project(store, def, r, select, version)) };
}

function readPath(store: OrgStore, record: StoredRecord, path: ResolvedPath, version: string): FieldValue {
  const parent = walk(store, record, path);
  if (!parent) return null;
  const def = store.schema.find(parent.type);
  const field =
    path.looseLeaf && def
      ? (def.fields.find((f) => f.name.toLowerCase() === path.leaf.name.toLowerCase()) ?? path.leaf)
      : path.leaf;
  return readField(store, parent, field, version);
}

/** Follows the lookups of a path; undefined as soon as one is empty. */
function walk(store: OrgStore, record: StoredRecord, path: ResolvedPath): StoredRecord | undefined {
  let current: StoredRecord | undefined = record;
  for (const lookup of path.lookups) {
    const id: FieldValue | undefined = current?.fields[lookup.name];
    if (typeof id !== 'string') return undefined;
    const type = store.typeOf(id);
    current = type ? store.find(type, id) : undefined;
  }
  return current;
}

function project(
  store: OrgStore,
  def: SObjectDef,
  record: StoredRecord,
  select: ResolvedPath[],
  version: string,
): Record<string, unknown> {
  const row: Record<string, unknown> = { attributes: recordAttributes(def.name, record.id, version) };
  for (const path of select) {
    let target = row;
    let current: StoredRecord | undefined = record;
    for (const [depth, lookup] of path.lookups.entries()) {
      const key = path.names[depth] ?? lookup.name;
      const id: FieldValue | undefined = current?.fields[lookup.name];
      const type: string | undefined = typeof id === 'string' ? store.typeOf(id) : undefined;
      current = type && typeof id === 'string' ? store.find(type, id) : undefined;
      if (!current) {
        if (!(key in target)) target[key] = null;
        target = {};
        break;
      }
      const existing = target[key];
      const nested: Record<string, unknown> =
        existing && typeof existing === 'object'
          ? (existing as Record<string, unknown>)
          : { attributes: recordAttributes(current.type, current.id, version) };
      target[key] = nested;
      target = nested;
    }
    const leafName = path.names[path.names.length - 1] ?? path.leaf.name;
    if (path.lookups.length === 0 || current) target[leafName] = readPath(store, record, path, version);
  }
  return row;
}

/** An org refuses unfiltered ContentDocumentLink queries; wasync must always name the record or file. */
function requireLinkFilter(parsed: SelectQuery, query: string): void {
  const names = (c: Condition | undefined): string[] => {
    if (!c) return [];
    if (c.kind === 'and') return c.operands.flatMap(names);
    if ((c.kind === 'compare' && c.operator === '=') || (c.kind === 'in' && !c.negated)) {
      return [c.field.path.join('.').toLowerCase()];
    }
    return [];
  };
  const filtered = names(parsed.where).some(
    (n) => n === 'id' || n === 'contentdocumentid' || n === 'linkedentityid',
  );
  if (!filtered) {
    throw malformedQuery(
      query,
      parsed.from.offset,
      "Implementation restriction: ContentDocumentLink requires a filter by a single Id on ContentDocumentId or LinkedEntityId using the equals operator or multiple Id's using the IN operator.",
    );
  }
}
