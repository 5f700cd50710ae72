import { badRequest } from '../errors.js';
import type { FieldValue, SObjectDef } from '../schema/types.js';
import { coerceFieldValue, type RecordTypeResolver } from './field-values.js';
import { findField } from './schema-registry.js';

/**
 * Copies a request body onto record fields, with the org's checks in its order: unknown fields,
 * then read-only ones, then each value's type. Base64 fields come back decoded, to be stored as blobs.
 * Seeding may write read-only fields (audit dates, IsConverted) but never computed ones.
 */
export function applyInput(
  def: SObjectDef,
  fields: Record<string, FieldValue>,
  input: Record<string, unknown>,
  options: { inserting: boolean; seeding: boolean; resolveType: RecordTypeResolver },
): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  const locked: string[] = [];
  for (const [name, raw] of Object.entries(input)) {
    if (name === 'attributes') continue;
    const field = findField(def, name);
    if (!field) {
      throw badRequest('INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`, [name]);
    }
    const writable = options.inserting ? field.createable : field.updateable;
    if (!writable && !(options.seeding && !field.compute)) {
      locked.push(field.name);
      continue;
    }
    if (field.type === 'base64' && typeof raw === 'string') {
      blobs.set(field.name, Buffer.from(raw, 'base64'));
      continue;
    }
    fields[field.name] = coerceFieldValue(field, raw, options.resolveType);
  }
  if (locked.length > 0) {
    throw badRequest(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${locked.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      locked,
    );
  }
  return blobs;
}

/** Blob fields count as given when a blob came with the insert; an update cannot clear them. */
export function requireFields(
  def: SObjectDef,
  fields: Record<string, FieldValue>,
  blobs: Map<string, Buffer>,
  inserting: boolean,
): void {
  const missing = def.fields
    .filter((f) => f.required)
    .filter((f) =>
      f.type === 'base64'
        ? inserting && !blobs.has(f.name)
        : fields[f.name] === null || fields[f.name] === undefined,
    )
    .map((f) => f.name);
  if (missing.length > 0) {
    throw badRequest(
      'REQUIRED_FIELD_MISSING',
      `Required fields are missing: [${missing.join(', ')}]`,
      missing,
    );
  }
}

/** The audit fields this object has, as set on insert (all of them) or on update (the modified ones). */
export function auditFields(
  def: SObjectDef,
  options: { now: string; userId: string; inserting: boolean },
): Record<string, FieldValue> {
  const { now, userId } = options;
  const all: Record<string, FieldValue> = options.inserting
    ? {
        IsDeleted: false,
        CreatedDate: now,
        CreatedById: userId,
        LastModifiedDate: now,
        LastModifiedById: userId,
        SystemModstamp: now,
        OwnerId: userId,
      }
    : { LastModifiedDate: now, LastModifiedById: userId, SystemModstamp: now };
  return Object.fromEntries(Object.entries(all).filter(([name]) => findField(def, name)));
}
