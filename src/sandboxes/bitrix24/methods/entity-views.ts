/**
 * How the older `crm.contact.*`, `crm.lead.*` and `crm.deal.*` methods show an entity: uppercase
 * field names, every id and number as a string (`"ID": "75"`, `"ASSIGNED_BY_ID": "6"`), datetimes
 * with their offset, and the multifields PHONE/EMAIL as arrays of `{ID, VALUE_TYPE, VALUE, TYPE_ID}`
 * (crm-contact-list.md answer).
 */
import type { CommType, CrmEntity, EntityKind } from '../portal.js';
import { bitrixDate } from './params.js';

/** The scalar fields a method writes and reads, per entity (crm.*.fields; the sandbox keeps a subset). */
export const WRITABLE_FIELDS: Record<EntityKind, readonly string[]> = {
  contact: [
    'NAME',
    'LAST_NAME',
    'SECOND_NAME',
    'TYPE_ID',
    'SOURCE_ID',
    'COMPANY_ID',
    'COMMENTS',
    'OPENED',
    'EXPORT',
    'ORIGINATOR_ID',
    'ORIGIN_ID',
  ],
  lead: [
    'TITLE',
    'COMPANY_TITLE',
    'OPPORTUNITY',
    'CURRENCY_ID',
    'NAME',
    'LAST_NAME',
    'SECOND_NAME',
    'STATUS_ID',
    'SOURCE_ID',
    'COMPANY_ID',
    'CONTACT_ID',
    'COMMENTS',
    'OPENED',
    'ORIGINATOR_ID',
    'ORIGIN_ID',
  ],
  deal: [
    'TITLE',
    'LEAD_ID',
    'STAGE_ID',
    'CATEGORY_ID',
    'CLOSED',
    'OPPORTUNITY',
    'CURRENCY_ID',
    'CONTACT_ID',
    'COMPANY_ID',
    'COMMENTS',
    'OPENED',
    'ORIGINATOR_ID',
    'ORIGIN_ID',
  ],
  company: ['TITLE', 'COMPANY_TYPE', 'COMMENTS', 'OPENED'],
};

const SYSTEM_FIELDS = ['ID', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE', 'DATE_MODIFY'];

/** Multifields exist on contacts, leads and companies (crm_multifield), not on deals. */
export const hasMultifields = (kind: EntityKind) => kind !== 'deal';

export const COMM_TYPES: readonly CommType[] = ['PHONE', 'EMAIL'];

export function scalarFieldNames(kind: EntityKind): string[] {
  const names = [...SYSTEM_FIELDS, ...WRITABLE_FIELDS[kind]];
  if (hasMultifields(kind)) names.push('HAS_PHONE', 'HAS_EMAIL');
  return names;
}

/** A scalar field's value as the older API shows it; null when unset. */
export function scalarValue(entity: CrmEntity, field: string): string | null {
  switch (field) {
    case 'ID':
      return String(entity.id);
    case 'ASSIGNED_BY_ID':
      return String(entity.assignedById);
    case 'CREATED_BY_ID':
      return String(entity.createdById);
    case 'MODIFY_BY_ID':
      return String(entity.modifiedById);
    case 'DATE_CREATE':
      return bitrixDate(entity.createdAt);
    case 'DATE_MODIFY':
      return bitrixDate(entity.modifiedAt);
    case 'HAS_PHONE':
      return entity.multifields.some((m) => m.typeId === 'PHONE') ? 'Y' : 'N';
    case 'HAS_EMAIL':
      return entity.multifields.some((m) => m.typeId === 'EMAIL') ? 'Y' : 'N';
    default:
      return entity.fields[field] ?? null;
  }
}

export function multifieldView(entity: CrmEntity, type: CommType) {
  return entity.multifields
    .filter((m) => m.typeId === type)
    .map((m) => ({ ID: String(m.id), VALUE_TYPE: m.valueType, VALUE: m.value, TYPE_ID: m.typeId }));
}

/**
 * The entity with the selected fields. No select (or `*`) means every scalar field and no multifield:
 * multifields come only when named (crm-contact-list.md `select`). ID is always there (unverified).
 * `get` answers every field with the multifields the entity has (unverified for an entity without any).
 */
export function entityView(entity: CrmEntity, select: readonly string[] | 'all') {
  const scalars = scalarFieldNames(entity.kind);
  const wanted =
    select === 'all' || select.length === 0 || select.includes('*')
      ? scalars
      : scalars.filter((f) => f === 'ID' || select.includes(f));
  const view: Record<string, unknown> = {};
  for (const field of wanted) view[field] = scalarValue(entity, field);
  if (hasMultifields(entity.kind))
    for (const type of COMM_TYPES) {
      const named = select !== 'all' && select.includes(type);
      const values = multifieldView(entity, type);
      if (named || (select === 'all' && values.length > 0)) view[type] = values;
    }
  return view;
}
