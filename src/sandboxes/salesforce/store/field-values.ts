import { badRequest, type SalesforceError } from '../errors.js';
import { toId18 } from '../ids.js';
import type { FieldDef, FieldValue } from '../schema/types.js';

/** Finds which object a record id belongs to, or undefined when no such record exists. */
export type RecordTypeResolver = (id: string) => string | undefined;

/** Salesforce renders datetimes with milliseconds and a `+0000` offset. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/**
 * Converts one JSON value to what the org stores for the field, with the errors an org answers:
 * JSON_PARSER_ERROR for the wrong JSON type, STRING_TOO_LONG, restricted picklists, bad ids.
 * Base64 fields are decoded by the caller; here they pass through as text.
 */
export function coerceFieldValue(field: FieldDef, raw: unknown, resolveType: RecordTypeResolver): FieldValue {
  if (raw === null) return null;
  switch (field.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw cannotDeserialize(field, 'boolean', raw);
    case 'double':
    case 'currency':
    case 'int': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw)
            : Number.NaN;
      if (!Number.isFinite(n)) throw cannotDeserialize(field, 'double', raw);
      return n;
    }
    case 'date': {
      const text = scalarText(field, raw);
      const ms = Date.parse(text.slice(0, 10));
      if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw cannotDeserialize(field, 'date', raw);
      return text.slice(0, 10);
    }
    case 'datetime': {
      const ms = Date.parse(scalarText(field, raw));
      if (Number.isNaN(ms)) throw cannotDeserialize(field, 'datetime', raw);
      return formatDateTime(ms);
    }
    case 'reference':
      return coerceReference(field, scalarText(field, raw), resolveType);
    default:
      return coerceText(field, scalarText(field, raw));
  }
}

function coerceText(field: FieldDef, value: string): string {
  if (field.length !== undefined && field.type !== 'base64' && value.length > field.length) {
    const preview = value.length > 20 ? `${value.slice(0, 20)}(truncated)` : value;
    throw badRequest(
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${preview} (max length=${field.length})`,
      [field.name],
    );
  }
  if (field.picklistValues && !field.picklistValues.includes(value)) {
    throw badRequest(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${field.label}: bad value for restricted picklist field: ${value}`,
      [field.name],
    );
  }
  if (field.type === 'email' && value !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw badRequest('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [
      field.name,
    ]);
  }
  return value;
}

function coerceReference(field: FieldDef, value: string, resolveType: RecordTypeResolver): string | null {
  if (value === '') return null;
  const id = toId18(value);
  if (id === undefined) {
    throw badRequest('MALFORMED_ID', `${field.label}: id value of incorrect type: ${value}`, [field.name]);
  }
  const type = resolveType(id);
  const allowed = field.polymorphic || (type !== undefined && field.referenceTo?.includes(type));
  if (type !== undefined && !allowed) {
    throw badRequest('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${value}`, [
      field.name,
    ]);
  }
  if (type === undefined) {
    throw badRequest('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
  }
  return id;
}

/** JSON numbers and booleans are accepted for text fields, as the org's deserializer does. */
function scalarText(field: FieldDef, raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw cannotDeserialize(field, field.type, raw);
}

function cannotDeserialize(field: FieldDef, type: string, raw: unknown): SalesforceError {
  const token = Array.isArray(raw)
    ? 'START_ARRAY'
    : typeof raw === 'object'
      ? 'START_OBJECT'
      : 'VALUE_STRING';
  return badRequest(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from ${token} value ${JSON.stringify(raw)} or request may be missing a required field (field ${field.name})`,
  );
}
