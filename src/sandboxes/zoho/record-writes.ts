import { recordError } from './errors.js';
import { MODULE_FIELDS, type PersonModule } from './fields.js';
import { SANDBOX_USER, type StoredRecord, type ZohoOrg, zohoTime } from './org.js';

/** Records one create, update or upsert call may carry (record/mds/createRecords.md: up to 100). */
export const MAX_RECORDS_PER_CALL = 100;

export type WriteResult =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; body: ReturnType<typeof recordError> };

/** The `details` of a success: the id and who and when (record/mds/examples/upsertRecords.md). */
export function successDetails(record: { id: string; createdAt: number; modifiedAt: number }) {
  const by = { name: SANDBOX_USER.name, id: SANDBOX_USER.id };
  return {
    Modified_Time: zohoTime(record.modifiedAt),
    Modified_By: by,
    Created_Time: zohoTime(record.createdAt),
    id: record.id,
    Created_By: by,
  };
}

/**
 * Checks one record of a write against the module: each key a field of the module (unknown keys
 * refused, unverified), each value text (record/mds/examples/upsertRecords.md, INVALID_DATA with
 * `expected_data_type`), within its length (INVALID_DATA with `maximum_length`), and on a create the
 * mandatory fields present: Last_Name for both modules (MANDATORY_NOT_FOUND, "required field not
 * found", createRecords.md `MandatoryNotFoundError`), Company for leads when the layout makes it so.
 */
export function validateFields(options: {
  module: PersonModule;
  input: Record<string, unknown>;
  index: number;
  creating: boolean;
  leadCompanyMandatory: boolean;
}): ReturnType<typeof recordError> | Record<string, string | null> {
  const defs = MODULE_FIELDS[options.module];
  const fields: Record<string, string | null> = {};
  const path = (name: string) => `$.data[${options.index}].${name}`;
  for (const [name, value] of Object.entries(options.input)) {
    if (name === 'id') continue;
    const def = defs[name];
    if (!def) return recordError('INVALID_DATA', 'invalid data', { api_name: name, json_path: path(name) });
    if (value !== null && typeof value !== 'string')
      return recordError('INVALID_DATA', 'invalid data', {
        expected_data_type: 'text',
        api_name: name,
        json_path: path(name),
      });
    if (value !== null && value.length > def.maxLength)
      return recordError('INVALID_DATA', 'invalid data', {
        maximum_length: def.maxLength,
        api_name: name,
        json_path: path(name),
      });
    fields[name] = value === null || value === '' ? null : value;
  }
  const mandatory = [
    'Last_Name',
    ...(options.module === 'Leads' && options.leadCompanyMandatory ? ['Company'] : []),
  ];
  for (const name of mandatory) {
    const missing = options.creating ? !fields[name] : name in fields && !fields[name];
    if (missing)
      return recordError('MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: name,
        json_path: path(name),
      });
  }
  return fields;
}

/**
 * DUPLICATE_DATA when a unique field's value is already another live record's
 * (record/mds/examples/upsertRecords.md, `DuplicateDataError`). Which fields are unique is an org's
 * setting; the sandbox takes them as an option.
 */
export function duplicateOf(options: {
  org: ZohoOrg;
  module: PersonModule;
  fields: Record<string, string | null>;
  uniqueFields: string[];
  index: number;
  self?: string;
}): ReturnType<typeof recordError> | undefined {
  for (const name of options.uniqueFields) {
    const value = options.fields[name];
    if (!value) continue;
    const clash = options.org
      .live(options.module)
      .find((record) => record.id !== options.self && record.fields[name] === value);
    if (clash)
      return recordError('DUPLICATE_DATA', 'duplicate data', {
        api_name: name,
        json_path: `$.data[${options.index}].${name}`,
        duplicate_record: { id: clash.id, Owner: { name: SANDBOX_USER.name, id: SANDBOX_USER.id } },
        id: clash.id,
        more_records: false,
      });
  }
  return undefined;
}

/**
 * The HTTP status of a multi-record write: every record done answers the success status (201 for a
 * create, 200 for update and upsert), a mix 207, every record refused 400, each with `data[]`
 * (createRecords.md and upsertRecords.md responses).
 */
export function batchStatus(results: WriteResult[], allOk: number): number {
  const ok = results.filter((result) => result.ok).length;
  if (ok === results.length) return allOk;
  return ok === 0 ? 400 : 207;
}

export function recordView(record: StoredRecord): Record<string, unknown> {
  const user = { name: SANDBOX_USER.name, id: SANDBOX_USER.id, email: SANDBOX_USER.email };
  const first = record.fields.First_Name;
  const fullName = [first, record.fields.Last_Name]
    .filter((part) => typeof part === 'string' && part)
    .join(' ');
  return {
    ...record.fields,
    ...(record.module === 'Deals' ? {} : { Full_Name: fullName }),
    id: record.id,
    Owner: user,
    Created_By: user,
    Modified_By: user,
    Created_Time: zohoTime(record.createdAt),
    Modified_Time: zohoTime(record.modifiedAt),
  };
}

/** A record limited to the `fields` asked for, always with its id (unverified: the id comes back unasked). */
export function pickFields(
  view: Record<string, unknown>,
  fields: string[] | undefined,
): Record<string, unknown> {
  if (!fields) return view;
  const picked: Record<string, unknown> = { id: view.id };
  for (const name of fields) if (name in view) picked[name] = view[name];
  return picked;
}

export function parseFieldsParam(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/** The name a parent record shows in lookups: a person's full name, a deal's Deal_Name. */
export function recordName(record: StoredRecord | undefined): string {
  if (!record) return '';
  const person = [record.fields.First_Name, record.fields.Last_Name].filter(
    (part) => typeof part === 'string' && part !== '',
  );
  return person.length > 0 ? person.join(' ') : String(record.fields.Deal_Name ?? '');
}
