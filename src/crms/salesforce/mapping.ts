import type { CrmRecord, RecordType } from '../types.js';

/** A row of a SOQL answer: `attributes` plus the selected fields (relationship fields nested). */
export type SoqlRow = Record<string, unknown> & { attributes?: { type?: string } };

export interface QueryAnswer {
  totalSize: number;
  done: boolean;
  records: SoqlRow[];
  nextRecordsUrl?: string;
}

export const RECORD_FIELDS = ['Id', 'Name', 'Phone', 'MobilePhone', 'CreatedDate'] as const;
export const OBJECT_OF: Record<RecordType, 'Contact' | 'Lead'> = { contact: 'Contact', lead: 'Lead' };

export function text(row: SoqlRow, field: string): string | undefined {
  const value = row[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `Owner.Name`, `Account.Name`: relationship fields come back as nested objects (or null). */
export function related(row: SoqlRow, relationship: string, field: string): string | undefined {
  const value = row[relationship];
  return typeof value === 'object' && value !== null ? text(value as SoqlRow, field) : undefined;
}

export function toCrmRecord(row: SoqlRow, type: RecordType, instanceUrl: string): CrmRecord {
  const id = text(row, 'Id') ?? '';
  return {
    type,
    id,
    name: text(row, 'Name') ?? '',
    phones: [text(row, 'Phone'), text(row, 'MobilePhone')].filter((p): p is string => p !== undefined),
    url: recordUrl(instanceUrl, OBJECT_OF[type], id),
    createdAt: dateOf(text(row, 'CreatedDate')),
  };
}

/** A dateTime field (`2026-11-20T10:00:00.000+0000`), or undefined when absent or unreadable. */
function dateOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // JavaScript reads `+0000` only as `+00:00`.
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Lightning's record page. */
export function recordUrl(instanceUrl: string, object: string, id: string): string {
  return `${instanceUrl.replace('.my.salesforce.com', '.lightning.force.com')}/lightning/r/${object}/${id}/view`;
}

/** FirstName and LastName lengths on Contact and Lead (Object Reference); longer values are refused. */
const FIRST_NAME_LENGTH = 40;
const LAST_NAME_LENGTH = 80;

/**
 * Salesforce wants a last name on every contact and lead; WhatsApp gives one display name. Each part
 * is cut to its field's length (a push name can be any length; the org refuses STRING_TOO_LONG).
 */
export function splitName(name: string): { FirstName?: string; LastName: string } {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const cut = (value: string, length: number) => [...value].slice(0, length).join('').trim();
  if (parts.length === 0) return { LastName: 'WhatsApp contact' };
  if (parts.length === 1) return { LastName: cut(parts[0] ?? 'WhatsApp contact', LAST_NAME_LENGTH) };
  return {
    FirstName: cut(parts.slice(0, -1).join(' '), FIRST_NAME_LENGTH),
    LastName: cut(parts.at(-1) ?? '', LAST_NAME_LENGTH),
  };
}
