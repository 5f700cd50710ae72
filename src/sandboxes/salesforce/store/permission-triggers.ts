import { badRequest } from '../errors.js';
import type { FieldDef } from '../schema/types.js';
import type { OrgStore, PendingChange, RecordTriggers, StoredRecord } from './org-store.js';
import { findField } from './schema-registry.js';

/**
 * The rules an org applies to permission records (Object Reference: PermissionSet, ObjectPermissions,
 * FieldPermissions, PermissionSetAssignment). The restricted-picklist wording for a field that cannot
 * carry permissions is the org's (seen in public reports of inserting FieldPermissions); the exact
 * messages for duplicates and for Edit without Read are unverified and kept close to the org's style.
 */

const DEVELOPER_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;

function restrictedPicklist(label: string, value: unknown, field: string) {
  return badRequest(
    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    `${label}: bad value for restricted picklist field: ${String(value)}`,
    [field],
  );
}

function duplicateValue(message: string, fields: string[]) {
  return badRequest('DUPLICATE_VALUE', message, fields);
}

/** Read is the prerequisite of every other access right, as in the permission set editor. */
function requireRead(record: StoredRecord, rights: readonly string[]): void {
  if (record.fields.PermissionsRead === true) return;
  const needing = rights.filter((right) => record.fields[right] === true);
  if (needing.length > 0) {
    throw badRequest(
      'FIELD_INTEGRITY_EXCEPTION',
      `Permission ${needing.map((n) => n.replace('Permissions', '')).join(', ')} depends on permission(s): Read`,
      needing,
    );
  }
}

function siblings(store: OrgStore, change: PendingChange, same: (other: StoredRecord) => boolean) {
  return store.all(change.record.type).filter((other) => other.id !== change.record.id && same(other));
}

/** Only fields a profile could show or hide carry permissions: not required, not system or computed. */
function permissionable(field: FieldDef): boolean {
  return !field.required && !field.compute && field.type !== 'id' && field.createable;
}

/** One ObjectPermissions row per object, one FieldPermissions row per field, in each permission set. */
function refuseSecondGrant(store: OrgStore, change: PendingChange, on: 'SobjectType' | 'Field'): void {
  const { fields } = change.record;
  const [clash] = siblings(
    store,
    change,
    (o) => o.fields.ParentId === fields.ParentId && o.fields[on] === fields[on],
  );
  if (clash) {
    throw duplicateValue(`duplicate value found: ${on} duplicates value on record with id: ${clash.id}`, [
      on,
    ]);
  }
}

const permissionSet: RecordTriggers = {
  beforeSave(store, change) {
    const name = String(change.record.fields.Name ?? '');
    if (!DEVELOPER_NAME.test(name) || name.endsWith('_')) {
      throw badRequest(
        'INVALID_FIELD',
        'The API Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.',
        ['Name'],
      );
    }
    const lower = name.toLowerCase();
    if (siblings(store, change, (o) => String(o.fields.Name ?? '').toLowerCase() === lower).length > 0) {
      throw badRequest('DUPLICATE_DEVELOPER_NAME', 'The API Name you entered is already in use.', ['Name']);
    }
  },
};

const objectPermissions: RecordTriggers = {
  beforeSave(store, change) {
    const { record } = change;
    const object = store.schema.find(String(record.fields.SobjectType ?? ''));
    if (!object) throw restrictedPicklist('Sobject Type Name', record.fields.SobjectType, 'SobjectType');
    record.fields.SobjectType = object.name;
    requireRead(record, ['PermissionsCreate', 'PermissionsEdit', 'PermissionsDelete']);
    refuseSecondGrant(store, change, 'SobjectType');
  },
};

const fieldPermissions: RecordTriggers = {
  beforeSave(store, change) {
    const { record } = change;
    const qualified = String(record.fields.Field ?? '');
    const [objectName = '', fieldName = ''] = qualified.split('.');
    const object = store.schema.find(objectName);
    const field = object ? findField(object, fieldName) : undefined;
    if (!object || !field || !permissionable(field)) {
      throw restrictedPicklist('Field Name', qualified, 'Field');
    }
    if (String(record.fields.SobjectType ?? '').toLowerCase() !== object.name.toLowerCase()) {
      throw restrictedPicklist('Sobject Type Name', record.fields.SobjectType, 'SobjectType');
    }
    record.fields.Field = `${object.name}.${field.name}`;
    record.fields.SobjectType = object.name;
    requireRead(record, ['PermissionsEdit']);
    refuseSecondGrant(store, change, 'Field');
  },
};

const permissionSetAssignment: RecordTriggers = {
  beforeSave(store, change) {
    const { PermissionSetId: set, AssigneeId: assignee } = change.record.fields;
    if (!store.find('User', String(assignee))) {
      throw badRequest('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['AssigneeId']);
    }
    const clash = siblings(
      store,
      change,
      (o) => o.fields.PermissionSetId === set && o.fields.AssigneeId === assignee,
    );
    if (clash.length > 0) {
      throw duplicateValue(
        `Duplicate PermissionSetAssignment. Assignee: ${String(assignee)}; Permission Set: ${String(set)}`,
        [],
      );
    }
  },
};

export const PERMISSION_TRIGGERS: ReadonlyMap<string, RecordTriggers> = new Map([
  ['PermissionSet', permissionSet],
  ['ObjectPermissions', objectPermissions],
  ['FieldPermissions', fieldPermissions],
  ['PermissionSetAssignment', permissionSetAssignment],
]);
