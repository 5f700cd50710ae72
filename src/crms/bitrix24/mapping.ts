import type { CrmRecord, RecordType } from '../types.js';

/**
 * A contact, lead or deal as the `crm.contact.*`, `crm.lead.*` and `crm.deal.*` methods answer it:
 * uppercase fields, ids and numbers as strings, the multifields PHONE and EMAIL as lists of
 * `{ID, VALUE_TYPE, VALUE, TYPE_ID}` (b24restdocs `api-reference/crm/contacts/crm-contact-list.md`).
 */
export type Bitrix24Row = Record<string, unknown>;

export interface Multifield {
  ID?: string | number;
  VALUE?: string;
  VALUE_TYPE?: string;
  TYPE_ID?: string;
}

/** The entity type names of the methods (`crm.contact.list`) and of timeline comments (`ENTITY_TYPE`). */
export const ENTITY_OF: Record<RecordType, 'contact' | 'lead'> = { contact: 'contact', lead: 'lead' };

/**
 * What a lookup and the card read of a contact or lead. Multifields are returned only when named in
 * `select` (crm-contact-list.md: "PHONE", "EMAIL" must be listed; `*` does not include them).
 */
export const RECORD_SELECT = [
  'ID',
  'NAME',
  'SECOND_NAME',
  'LAST_NAME',
  'TITLE',
  'PHONE',
  'DATE_CREATE',
  'STATUS_SEMANTIC_ID',
] as const;

/**
 * Ids come back as strings from the older methods and as numbers from `crm.duplicate.findbycomm`,
 * `*.add` and `crm.item.*` (the methods' answer examples): wasync keeps them as decimal strings.
 */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^[1-9]\d*$/.test(value.trim())) return value.trim();
  return undefined;
}

export function isBitrix24Id(id: string): boolean {
  return /^[1-9]\d{0,18}$/.test(id);
}

export function text(row: Bitrix24Row, field: string): string | undefined {
  const value = row[field];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The values of a multifield (PHONE, EMAIL) as entered. */
export function multifieldValues(row: Bitrix24Row, field: 'PHONE' | 'EMAIL'): string[] {
  const values = row[field];
  if (!Array.isArray(values)) return [];
  return values
    .map((item) => (typeof item === 'object' && item !== null ? (item as Multifield).VALUE : undefined))
    .filter((value): value is string => typeof value === 'string' && value.trim() !== '');
}

/** Where a person opens a record: the portal's `/crm/{contact|lead|deal}/details/{id}/` page. */
export function recordUrl(portalUrl: string, entity: 'contact' | 'lead' | 'deal', id: string): string {
  return `${portalUrl}/crm/${entity}/details/${id}/`;
}

/** A person's name as the portal shows it: first, middle, last; a lead without one by its title. */
export function personName(row: Bitrix24Row): string {
  const name = [text(row, 'NAME'), text(row, 'SECOND_NAME'), text(row, 'LAST_NAME')]
    .filter(Boolean)
    .join(' ');
  return name || text(row, 'TITLE') || '';
}

/**
 * Bitrix24 numbers contacts and leads apart (contact 12 and lead 12 are two people), while wasync
 * keys a chat's days, files and sync state by the record's id within a connection. So a lead's id in
 * wasync carries Bitrix24's own short code for leads, `L_12` (`crm.enum.ownertype`: SYMBOL_CODE_SHORT
 * "L"; the spelling of a lead in the portal's CRM binding fields), and a contact keeps its number.
 */
const LEAD_PREFIX = 'L_';

/** wasync's id of the portal's contact or lead `entityId`. */
export function recordIdOf(type: RecordType, entityId: string): string {
  return type === 'lead' ? `${LEAD_PREFIX}${entityId}` : entityId;
}

/** The portal's id of a record as wasync names it, or undefined when it is not one of this type. */
export function entityIdOf(record: { type: RecordType; id: string }): string | undefined {
  const number =
    record.type === 'lead' ? (record.id.startsWith(LEAD_PREFIX) ? record.id.slice(2) : '') : record.id;
  return isBitrix24Id(number) ? number : undefined;
}

export function toCrmRecord(row: Bitrix24Row, type: RecordType, portalUrl: string): CrmRecord {
  const entityId = idOf(row.ID) ?? String(row.ID ?? '');
  return {
    type,
    id: recordIdOf(type, entityId),
    name: personName(row),
    phones: multifieldValues(row, 'PHONE'),
    url: recordUrl(portalUrl, ENTITY_OF[type], entityId),
    createdAt: dateOf(text(row, 'DATE_CREATE')),
  };
}

/** A datetime as the portal writes it (`2026-08-01T12:00:00+03:00`), or undefined. */
export function dateOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * NAME and LAST_NAME of a contact or lead made from a chat: WhatsApp gives one display name, split at
 * the last space. The fields are 50 characters in the portal's b_crm_contact table (unverified
 * through the REST docs, which state no length; a longer value is cut, not refused).
 */
const NAME_LENGTH = 50;

export function splitName(name: string): { NAME: string; LAST_NAME?: string } {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const cut = (value: string) => [...value].slice(0, NAME_LENGTH).join('').trim();
  if (parts.length === 0) return { NAME: 'WhatsApp contact' };
  if (parts.length === 1) return { NAME: cut(parts[0] ?? '') };
  return { NAME: cut(parts.slice(0, -1).join(' ')), LAST_NAME: cut(parts.at(-1) ?? '') };
}
