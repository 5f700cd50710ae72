import { notFound } from '../errors.js';
import type { SandboxOrg } from '../org.js';
import type { FieldDef, SObjectDef } from '../schema/types.js';
import { findField } from '../store/schema-registry.js';

export type UpsertResult =
  | { kind: 'done'; id: string; created: boolean }
  | { kind: 'ambiguous'; urls: string[] };

/**
 * Upsert by external id, shared by the sObject route and upsert collections: no match inserts with
 * the key set, one match updates, several answer 300 with their URLs.
 */
export function upsertByExternalId(
  org: SandboxOrg,
  def: SObjectDef,
  request: { field: string; value: string; input: Record<string, unknown>; userId: string; version: string },
): UpsertResult {
  const field = requireExternalIdField(def, request.field);
  const matches = org.store.findByExternalId(def, field, request.value);
  const ctx = { userId: request.userId };
  // The key comes from the URL; the body must not move the record to another key.
  const { [field.name]: _ignored, ...input } = request.input;
  if (matches.length > 1) {
    return {
      kind: 'ambiguous',
      urls: matches.map((r) => `/services/data/${request.version}/sobjects/${def.name}/${r.id}`),
    };
  }
  const [match] = matches;
  if (match) {
    org.store.update(def.name, match.id, input, ctx);
    return { kind: 'done', id: match.id, created: false };
  }
  if (field.type === 'id') throw notFound();
  const record = org.store.insert(def.name, { ...input, [field.name]: request.value }, ctx);
  return { kind: 'done', id: record.id, created: true };
}

/** The external id field named in an upsert URL, if the user can see it and it is one. */
export function requireExternalIdField(def: SObjectDef, name: string): FieldDef {
  const field = findField(def, name);
  if (!field || !(field.externalId || field.type === 'id')) {
    throw notFound(`Provided external ID field does not exist or is not accessible: ${name}`);
  }
  return field;
}
