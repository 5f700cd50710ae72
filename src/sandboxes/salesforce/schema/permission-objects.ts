import { type FieldDef, reference, type SObjectDef, text, withSystemFields } from './types.js';

/**
 * The setup objects through which an org grants access (SOAP API Developer Guide / Object Reference:
 * PermissionSet, ObjectPermissions, FieldPermissions, PermissionSetAssignment). They are ordinary
 * sObjects over REST: queryable, and created like any record. Their rules live in
 * store/permission-triggers.ts; the grants they hold decide what store/field-security.ts lets a user see.
 */

const flag = (name: string, label: string): FieldDef => ({
  name,
  label,
  type: 'boolean',
  createable: true,
  updateable: true,
  defaultValue: false,
});

const fixed = { updateable: false } as const;

const permissionSet: SObjectDef = {
  name: 'PermissionSet',
  label: 'Permission Set',
  labelPlural: 'Permission Sets',
  keyPrefix: '0PS',
  custom: false,
  fields: withSystemFields(
    [
      // The API name; the Object Reference calls it Name, the UI "API Name".
      text('Name', 'Name', { length: 80, required: true }),
      text('Label', 'Label', { length: 80, required: true }),
      text('Description', 'Description', { type: 'textarea', length: 255 }),
      {
        name: 'IsOwnedByProfile',
        label: 'Is Owned By Profile',
        type: 'boolean',
        createable: false,
        updateable: false,
        defaultValue: false,
      },
      text('NamespacePrefix', 'Namespace Prefix', { length: 15, createable: false, updateable: false }),
    ],
    { owned: false },
  ),
};

const objectPermissions: SObjectDef = {
  name: 'ObjectPermissions',
  label: 'Object Permissions',
  labelPlural: 'Object Permissions',
  keyPrefix: '110',
  custom: false,
  fields: withSystemFields(
    [
      reference('ParentId', 'Parent ID', 'PermissionSet', 'Parent', { required: true, ...fixed }),
      text('SobjectType', 'Sobject Type Name', { type: 'picklist', length: 40, required: true, ...fixed }),
      flag('PermissionsRead', 'Read'),
      flag('PermissionsCreate', 'Create'),
      flag('PermissionsEdit', 'Edit'),
      flag('PermissionsDelete', 'Delete'),
      flag('PermissionsViewAllRecords', 'View All'),
      flag('PermissionsModifyAllRecords', 'Modify All'),
    ],
    { owned: false },
  ),
};

const fieldPermissions: SObjectDef = {
  name: 'FieldPermissions',
  label: 'Field Permissions',
  labelPlural: 'Field Permissions',
  keyPrefix: '01k',
  custom: false,
  fields: withSystemFields(
    [
      reference('ParentId', 'Parent ID', 'PermissionSet', 'Parent', { required: true, ...fixed }),
      text('SobjectType', 'Sobject Type Name', { type: 'picklist', length: 40, required: true, ...fixed }),
      text('Field', 'Field Name', { type: 'picklist', length: 255, required: true, ...fixed }),
      flag('PermissionsRead', 'Read Access'),
      flag('PermissionsEdit', 'Edit Access'),
    ],
    { owned: false },
  ),
};

const permissionSetAssignment: SObjectDef = {
  name: 'PermissionSetAssignment',
  label: 'Permission Set Assignment',
  labelPlural: 'Permission Set Assignments',
  keyPrefix: '0Pa',
  custom: false,
  fields: withSystemFields(
    [
      reference('PermissionSetId', 'Permission Set ID', 'PermissionSet', 'PermissionSet', {
        required: true,
        ...fixed,
      }),
      reference('AssigneeId', 'Assignee ID', 'User', 'Assignee', { required: true, ...fixed }),
    ],
    { owned: false },
  ),
};

export const PERMISSION_OBJECTS: readonly SObjectDef[] = [
  permissionSet,
  objectPermissions,
  fieldPermissions,
  permissionSetAssignment,
];
