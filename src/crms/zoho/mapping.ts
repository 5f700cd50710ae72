import type { CrmRecord, RecordType } from '../types.js';

/** A record as the API answers it: `id` and the fields asked for (lookups nested as `{id, name}`). */
export type ZohoRow = Record<string, unknown> & { id?: string };

/** The list answers of the record, search and related-list APIs: `data` and paging `info`. */
export interface ZohoList {
  data?: ZohoRow[];
  info?: { more_records?: boolean; count?: number; page?: number; per_page?: number };
}

export type PersonModule = 'Contacts' | 'Leads';
export const MODULE_OF: Record<RecordType, PersonModule> = { contact: 'Contacts', lead: 'Leads' };

/** What a lookup and the card read of a contact or lead: Phone and Mobile are where numbers link. */
export const RECORD_FIELDS = [
  'Full_Name',
  'First_Name',
  'Last_Name',
  'Phone',
  'Mobile',
  'Created_Time',
] as const;

export function text(row: ZohoRow, field: string): string | undefined {
  const value = row[field];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A lookup field's name (`Owner`, `Account_Name`): `{ "name": …, "id": … }`, or null. */
export function lookupName(row: ZohoRow, field: string): string | undefined {
  const value = row[field];
  return typeof value === 'object' && value !== null ? text(value as ZohoRow, 'name') : undefined;
}

/** Where a person opens a record: the org's web UI (`/crm/org{zgid}/tab/{Module}/{id}`). */
export interface RecordLinks {
  web: string;
  zgid: string;
}

export function recordUrl(links: RecordLinks, module: string, id: string): string {
  return `${links.web}/crm/org${links.zgid}/tab/${module}/${id}`;
}

export function toCrmRecord(row: ZohoRow, type: RecordType, links: RecordLinks): CrmRecord {
  const id = String(row.id ?? '');
  const name =
    text(row, 'Full_Name') ?? [text(row, 'First_Name'), text(row, 'Last_Name')].filter(Boolean).join(' ');
  return {
    type,
    id,
    name,
    phones: [text(row, 'Phone'), text(row, 'Mobile')].filter((p): p is string => p !== undefined),
    url: recordUrl(links, MODULE_OF[type], id),
    createdAt: dateOf(text(row, 'Created_Time')),
  };
}

/** A datetime field (`2026-11-20T10:00:00+05:30`, ISO 8601 with the offset), or undefined. */
export function dateOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * First_Name is 40 characters and Last_Name 80 on Contacts and Leads (crm-oas v8.0 coql examples,
 * the Leads Last_Name field metadata; First_Name unverified): a push name can be any length, and
 * Zoho refuses a longer value as INVALID_DATA `maximum_length`.
 */
const FIRST_NAME_LENGTH = 40;
const LAST_NAME_LENGTH = 80;

/** Zoho wants a Last_Name on every contact and lead; WhatsApp gives one display name. */
export function splitName(name: string): { First_Name?: string; Last_Name: string } {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const cut = (value: string, length: number) => [...value].slice(0, length).join('').trim();
  if (parts.length === 0) return { Last_Name: 'WhatsApp contact' };
  if (parts.length === 1) return { Last_Name: cut(parts[0] ?? 'WhatsApp contact', LAST_NAME_LENGTH) };
  return {
    First_Name: cut(parts.slice(0, -1).join(' '), FIRST_NAME_LENGTH),
    Last_Name: cut(parts.at(-1) ?? '', LAST_NAME_LENGTH),
  };
}

/** A COQL string literal: quoted, `'` doubled (the crm-apis notes §2.2). */
export function coqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Zoho ids are 19-digit numbers as strings (past 2^53: never read as a number). */
export function isZohoId(value: string): boolean {
  return /^\d{1,25}$/.test(value);
}
