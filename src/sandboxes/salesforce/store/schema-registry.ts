import { notFound, SalesforceError } from '../errors.js';
import { CONTENT_OBJECTS } from '../schema/content-objects.js';
import {
  type CustomFieldMetadata,
  type CustomObjectMetadata,
  customFieldFromMetadata,
  customObjectFromMetadata,
} from '../schema/custom-objects.js';
import { PERMISSION_OBJECTS } from '../schema/permission-objects.js';
import { STANDARD_OBJECTS } from '../schema/standard-objects.js';
import type { FieldDef, SObjectDef } from '../schema/types.js';
import type { SchemaLookup } from './field-security.js';

/** Custom objects get prefixes a0X, a0Y, … in deployment order, as new objects do in an org. */
const CUSTOM_PREFIXES = 'XYZabcdefghijklmnopqrstuvw';

/**
 * The org's objects and fields. Names are case-insensitive in URLs and SOQL, so lookups go through
 * lower-cased keys while answers use the canonical spelling.
 */
export class SchemaRegistry implements SchemaLookup {
  private objects = new Map<string, SObjectDef>();

  constructor() {
    this.reset();
  }

  reset(): void {
    this.objects = new Map(
      [...STANDARD_OBJECTS, ...CONTENT_OBJECTS, ...PERMISSION_OBJECTS].map((o) => [
        o.name.toLowerCase(),
        cloneDef(o),
      ]),
    );
  }

  find(type: string): SObjectDef | undefined {
    return this.objects.get(type.toLowerCase());
  }

  /** The object for a REST path; an undeployed custom object is a 404 like any unknown resource. */
  require(type: string): SObjectDef {
    const def = this.find(type);
    if (!def) throw notFound();
    return def;
  }

  list(): SObjectDef[] {
    return [...this.objects.values()];
  }

  /** The object whose records carry this key prefix (ContentDocument wins over ContentNote for 069). */
  byKeyPrefix(prefix: string): SObjectDef | undefined {
    return this.list().find((o) => o.keyPrefix === prefix);
  }

  addCustomObject(meta: CustomObjectMetadata): SObjectDef {
    if (this.find(meta.fullName)) throw duplicate(`There is already a CustomObject named ${meta.fullName}.`);
    const used = this.list().filter((o) => o.custom).length;
    const prefix = `a0${CUSTOM_PREFIXES.charAt(used % CUSTOM_PREFIXES.length)}`;
    const def = customObjectFromMetadata(meta, prefix);
    this.objects.set(def.name.toLowerCase(), def);
    // Fields inside a CustomObject carry short names; standalone CustomField components are qualified.
    for (const field of meta.fields ?? []) {
      const fullName = field.fullName.includes('.') ? field.fullName : `${meta.fullName}.${field.fullName}`;
      this.addCustomField({ ...field, fullName });
    }
    return def;
  }

  /** Replaces a restricted picklist's values, as an admin editing the value set does. */
  setPicklistValues(object: string, fieldName: string, values: readonly string[]): void {
    const def = this.find(object);
    const index = def ? def.fields.findIndex((f) => f.name === fieldName) : -1;
    const field = def?.fields[index];
    if (!def || !field) throw new Error(`no field ${object}.${fieldName}`);
    def.fields[index] = { ...field, picklistValues: [...values] };
  }

  /** Adds `Object.Field__c`; custom fields may go on standard objects too (e.g. Contact.Phone_E164__c). */
  addCustomField(meta: CustomFieldMetadata): FieldDef {
    const [objectName, fieldName, extra] = meta.fullName.split('.');
    if (!objectName || !fieldName || extra !== undefined || !fieldName.endsWith('__c')) {
      throw invalid(`${meta.fullName}: a custom field's full name is Object.Field__c`);
    }
    const def = this.find(objectName);
    if (!def) throw invalid(`Cannot find the object ${objectName} for field ${fieldName}`);
    if (findField(def, fieldName)) {
      throw duplicate(`There is already a field named ${fieldName.replace(/__c$/, '')} on ${def.name}.`);
    }
    const field = customFieldFromMetadata(meta, fieldName);
    def.fields.push(field);
    return field;
  }
}

/** Field names are case-insensitive in SOQL and JSON bodies alike. */
export function findField(def: SObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return def.fields.find((f) => f.name.toLowerCase() === lower);
}

function cloneDef(def: SObjectDef): SObjectDef {
  return { ...def, fields: [...def.fields] };
}

function duplicate(message: string): SalesforceError {
  return new SalesforceError({ status: 400, errorCode: 'DUPLICATE_DEVELOPER_NAME', message });
}

function invalid(message: string): SalesforceError {
  return new SalesforceError({ status: 400, errorCode: 'INVALID_CROSS_REFERENCE_KEY', message });
}
