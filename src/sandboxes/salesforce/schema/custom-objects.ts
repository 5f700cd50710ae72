import { z } from 'zod';
import { SalesforceError } from '../errors.js';
import { type FieldDef, type SObjectDef, withSystemFields } from './types.js';

/** Metadata API values arrive as XML text, so every scalar is a string here. */
export const customFieldMetadataSchema = z.object({
  fullName: z.string().min(1),
  label: z.string().optional(),
  type: z.string().min(1),
  length: z.string().optional(),
  precision: z.string().optional(),
  scale: z.string().optional(),
  referenceTo: z.string().optional(),
  relationshipName: z.string().optional(),
  externalId: z.string().optional(),
  unique: z.string().optional(),
  required: z.string().optional(),
  defaultValue: z.string().optional(),
  valueSet: z
    .object({
      restricted: z.string().optional(),
      valueSetDefinition: z.object({ value: z.array(z.object({ fullName: z.string() })) }).optional(),
    })
    .optional(),
});
export type CustomFieldMetadata = z.infer<typeof customFieldMetadataSchema>;

export const customObjectMetadataSchema = z.object({
  fullName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'a custom object name ends in __c'),
  label: z.string().optional(),
  pluralLabel: z.string().optional(),
  nameField: z
    .object({
      type: z.string().optional(),
      label: z.string().optional(),
      displayFormat: z.string().optional(),
    })
    .optional(),
  fields: z.array(customFieldMetadataSchema).optional(),
});
export type CustomObjectMetadata = z.infer<typeof customObjectMetadataSchema>;

/** A new custom object with only its Name field; CustomField components add the rest. */
export function customObjectFromMetadata(meta: CustomObjectMetadata, keyPrefix: string): SObjectDef {
  const autoNumber = meta.nameField?.type === 'AutoNumber';
  const name: FieldDef = autoNumber
    ? {
        name: 'Name',
        label: meta.nameField?.label ?? 'Name',
        type: 'string',
        length: 80,
        createable: false,
        updateable: false,
        autoNumberFormat: meta.nameField?.displayFormat ?? 'A-{0000}',
      }
    : {
        name: 'Name',
        label: meta.nameField?.label ?? 'Name',
        type: 'string',
        length: 80,
        createable: true,
        updateable: true,
      };
  const label = meta.label ?? meta.fullName.replace(/__c$/, '').replaceAll('_', ' ');
  return {
    name: meta.fullName,
    label,
    labelPlural: meta.pluralLabel ?? `${label}s`,
    keyPrefix,
    custom: true,
    fields: withSystemFields([name], { owned: true }),
  };
}

const TEXT_TYPES: Record<string, FieldDef['type']> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Html: 'textarea',
  Phone: 'phone',
  Email: 'email',
  Url: 'url',
};

/** Maps one CustomField component to the field describe would show; unknown types are refused. */
export function customFieldFromMetadata(meta: CustomFieldMetadata, fieldName: string): FieldDef {
  // A field deployed through the Metadata API comes without field-level security for any profile: it
  // stays hidden from the API until a profile or permission set grants it (Object Reference,
  // FieldPermissions; the well-known "field does not exist or is not accessible" after a deploy).
  const base = {
    name: fieldName,
    label: meta.label ?? fieldName,
    createable: true,
    updateable: true,
    requiresGrant: true,
  };
  const flag = (value: string | undefined) => value === 'true';
  const textType = TEXT_TYPES[meta.type];
  if (textType) {
    const length = Number(meta.length ?? (meta.type === 'LongTextArea' ? 32768 : 255));
    return {
      ...base,
      type: textType,
      length,
      ...(flag(meta.externalId) ? { externalId: true } : {}),
      ...(flag(meta.unique) ? { unique: true } : {}),
      ...(flag(meta.required) ? { required: true } : {}),
    };
  }
  switch (meta.type) {
    case 'Number':
      return { ...base, type: 'double', ...(flag(meta.externalId) ? { externalId: true } : {}) };
    case 'Currency':
      return { ...base, type: 'currency' };
    case 'Checkbox':
      return { ...base, type: 'boolean', defaultValue: meta.defaultValue === 'true' };
    case 'Date':
      return { ...base, type: 'date' };
    case 'DateTime':
      return { ...base, type: 'datetime' };
    case 'Picklist': {
      const values = meta.valueSet?.valueSetDefinition?.value.map((v) => v.fullName);
      const restricted = flag(meta.valueSet?.restricted) && values !== undefined;
      return { ...base, type: 'picklist', length: 255, ...(restricted ? { picklistValues: values } : {}) };
    }
    case 'Lookup': {
      if (!meta.referenceTo) throw invalidMetadata(`${meta.fullName}: a Lookup needs referenceTo`);
      return {
        ...base,
        type: 'reference',
        referenceTo: [meta.referenceTo],
        relationshipName: fieldName.replace(/__c$/, '__r'),
      };
    }
    default:
      throw invalidMetadata(`${meta.fullName}: field type ${meta.type} is not supported by the sandbox`);
  }
}

function invalidMetadata(message: string): SalesforceError {
  return new SalesforceError({ status: 400, errorCode: 'FIELD_INTEGRITY_EXCEPTION', message });
}
