import { notFound } from '../errors.js';
import type { SObjectDef } from '../schema/types.js';
import type { StoredRecord } from './org-store.js';

/** What a handler needs of the schema: the objects and fields the current user can see. */
export interface SchemaLookup {
  find(type: string): SObjectDef | undefined;
  require(type: string): SObjectDef;
  list(): SObjectDef[];
}

interface Grant {
  read: boolean;
  edit: boolean;
}

/**
 * Field-level security as the org applies it to API sessions. A field that needs a grant (a custom
 * field deployed through the Metadata API) is invisible to a user unless a permission set assigned to
 * them (PermissionSetAssignment) holds a FieldPermissions row for it: without Read the field does not
 * exist for them (describe leaves it out, SOQL and writes answer INVALID_FIELD, an upsert by it "does
 * not exist or is not accessible"); with Read but not Edit it is read-only (createable and updateable
 * false). Object permissions are recorded but not enforced: the sandbox's users may use every object.
 */
export function schemaForUser(
  schema: SchemaLookup,
  records: (type: string) => StoredRecord[],
  userId: string,
): SchemaLookup {
  const grants = grantsOf(records, userId);
  const visible = (def: SObjectDef): SObjectDef => {
    if (!def.fields.some((f) => f.requiresGrant)) return def;
    const fields = def.fields.flatMap((field) => {
      if (!field.requiresGrant) return [field];
      const grant = grants.get(`${def.name}.${field.name}`.toLowerCase());
      if (!grant?.read) return [];
      return grant.edit ? [field] : [{ ...field, createable: false, updateable: false }];
    });
    return { ...def, fields };
  };
  return {
    find: (type) => {
      const def = schema.find(type);
      return def && visible(def);
    },
    require: (type) => {
      const def = schema.find(type);
      if (!def) throw notFound();
      return visible(def);
    },
    list: () => schema.list().map(visible),
  };
}

/** `Object.Field` (lower case) → the union of what the user's permission sets grant on it. */
function grantsOf(records: (type: string) => StoredRecord[], userId: string): Map<string, Grant> {
  const sets = new Set(
    records('PermissionSetAssignment')
      .filter((a) => a.fields.AssigneeId === userId)
      .map((a) => a.fields.PermissionSetId),
  );
  const grants = new Map<string, Grant>();
  for (const row of records('FieldPermissions')) {
    if (!sets.has(row.fields.ParentId ?? null)) continue;
    const key = String(row.fields.Field ?? '').toLowerCase();
    const earlier = grants.get(key);
    grants.set(key, {
      read: row.fields.PermissionsRead === true || earlier?.read === true,
      edit: row.fields.PermissionsEdit === true || earlier?.edit === true,
    });
  }
  return grants;
}
