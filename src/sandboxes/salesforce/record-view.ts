import type { FieldDef, FieldValue, SObjectDef } from './schema/types.js';
import type { OrgStore, StoredRecord } from './store/org-store.js';

/** The `attributes` block every record in a REST answer starts with. */
export function recordAttributes(type: string, id: string, version: string) {
  return { type, url: `/services/data/${version}/sobjects/${type}/${id}` };
}

/**
 * A field as the REST API shows it: computed fields computed, and blob fields as the URL to fetch the
 * bytes from (never inline), or null when there is no blob.
 */
export function readField(
  store: OrgStore,
  record: StoredRecord,
  field: FieldDef,
  version: string,
): FieldValue {
  if (field.compute) return field.compute(record.fields);
  if (field.type === 'base64') {
    return store.blob(record.id, field.name)
      ? `/services/data/${version}/sobjects/${record.type}/${record.id}/${field.name}`
      : null;
  }
  return record.fields[field.name] ?? null;
}

/** A whole record, every field in describe order, as `GET /sobjects/{type}/{id}` answers it. */
export function recordView(
  store: OrgStore,
  def: SObjectDef,
  record: StoredRecord,
  options: { version: string; fields?: FieldDef[] },
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    attributes: recordAttributes(def.name, record.id, options.version),
  };
  for (const field of options.fields ?? def.fields)
    view[field.name] = readField(store, record, field, options.version);
  return view;
}
