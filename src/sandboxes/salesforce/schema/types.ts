/** A stored field value. Blobs live apart from records (see OrgStore), dates as Salesforce strings. */
export type FieldValue = string | number | boolean | null;

/** The describe `type` names wasync can meet on the objects it writes and reads. */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'phone'
  | 'email'
  | 'url'
  | 'boolean'
  | 'double'
  | 'currency'
  | 'int'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'picklist'
  | 'base64';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Maximum characters for text types. */
  length?: number;
  /** Must be given on insert (describe shows it as `nillable: false` without a default). */
  required?: boolean;
  createable: boolean;
  updateable: boolean;
  referenceTo?: string[];
  /** The name used in SOQL to walk to the parent, e.g. `Owner` for OwnerId, `Contact__r` for Contact__c. */
  relationshipName?: string;
  /** Polymorphic lookups (LinkedEntityId, FirstPublishLocationId) accept a record of any type. */
  polymorphic?: boolean;
  externalId?: boolean;
  unique?: boolean;
  /** Restricted picklists reject values outside this list. */
  picklistValues?: string[];
  defaultValue?: FieldValue;
  /** Fields the org computes (Name on Contact, IsClosed on Opportunity, autonumbers). */
  compute?: (record: Readonly<Record<string, FieldValue>>) => FieldValue;
  /** An autonumber display format such as `WA-{000000}`. */
  autoNumberFormat?: string;
  /**
   * Field-level security: a custom field created through the Metadata API is visible to no user until
   * a permission set assigned to them grants it (FieldPermissions); see store/field-security.ts.
   */
  requiresGrant?: boolean;
}

export interface SObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  fields: FieldDef[];
}

const SYSTEM_FIELDS: FieldDef[] = [
  { name: 'Id', label: 'Record ID', type: 'id', createable: false, updateable: false },
  { name: 'IsDeleted', label: 'Deleted', type: 'boolean', createable: false, updateable: false },
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', createable: false, updateable: false },
  reference('CreatedById', 'Created By ID', 'User', 'CreatedBy', { createable: false, updateable: false }),
  {
    name: 'LastModifiedDate',
    label: 'Last Modified Date',
    type: 'datetime',
    createable: false,
    updateable: false,
  },
  reference('LastModifiedById', 'Last Modified By ID', 'User', 'LastModifiedBy', {
    createable: false,
    updateable: false,
  }),
  {
    name: 'SystemModstamp',
    label: 'System Modstamp',
    type: 'datetime',
    createable: false,
    updateable: false,
  },
];

/** The audit fields every record carries, plus OwnerId on objects users own. */
export function withSystemFields(fields: FieldDef[], options: { owned: boolean }): FieldDef[] {
  const owner = reference('OwnerId', 'Owner ID', 'User', 'Owner', { createable: true, updateable: true });
  return [...SYSTEM_FIELDS, ...(options.owned ? [owner] : []), ...fields];
}

export function text(name: string, label: string, extra: Partial<FieldDef> = {}): FieldDef {
  return { name, label, type: 'string', length: 255, createable: true, updateable: true, ...extra };
}

export function reference(
  name: string,
  label: string,
  to: string | string[],
  relationshipName: string,
  extra: Partial<FieldDef> = {},
): FieldDef {
  const referenceTo = Array.isArray(to) ? to : [to];
  return {
    name,
    label,
    type: 'reference',
    referenceTo,
    relationshipName,
    createable: true,
    updateable: true,
    ...extra,
  };
}

/** Contact, Lead and User compute Name from the person's parts, as the org does. */
export function personName(record: Readonly<Record<string, FieldValue>>): FieldValue {
  const parts = [record.FirstName, record.LastName].filter((p) => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}
