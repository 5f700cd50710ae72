/**
 * `crm.contact.get|list|add|update|delete`, `crm.lead.get|list|add|update|delete`, `crm.company.get` and
 * `crm.deal.list`: the older
 * CRM methods (marked deprecated in favour of crm.item.*, still answering). Cited pages are under
 * b24restdocs `api-reference/crm/contacts/`, `leads/`, `companies/`, `deals/`.
 */
import { Bitrix24Error, type MethodContext, type MethodDefinition } from '../method.js';
import type { CommType, CrmEntity, EntityKind, Multifield } from '../portal.js';
import {
  COMM_TYPES,
  entityView,
  hasMultifields,
  scalarFieldNames,
  scalarValue,
  WRITABLE_FIELDS,
} from './entity-views.js';
import {
  fieldsParam,
  filterValueFits,
  idParam,
  isDirection,
  isRecord,
  listParam,
  meets,
  type Params,
  page,
  parseFilterKey,
  sortBy,
  startParam,
} from './params.js';

/**
 * Phone VALUE_TYPE values (crm_multifield, crm-apis.md §3.2); email ones are WORK, HOME, MAILING,
 * OTHER (unverified). A value without VALUE_TYPE is WORK (unverified).
 */
const VALUE_TYPES: Record<CommType, readonly string[]> = {
  PHONE: ['WORK', 'MOBILE', 'FAX', 'HOME', 'PAGER', 'MAILING', 'OTHER'],
  EMAIL: ['WORK', 'HOME', 'MAILING', 'OTHER'],
};

/**
 * A missing or bad id, and an unknown one: 400 with an empty `error` and "ID is not defined or
 * invalid." / "Not found" (crm-contact-get.md, crm-company-get.md error tables; for the leads' and
 * the updates' pages the same answer is unverified).
 */
function notFound(): never {
  throw new Bitrix24Error(400, '', 'Not found');
}

function findEntity(context: MethodContext, kind: EntityKind, params: Params): CrmEntity {
  const id = idParam(params.id ?? params.ID);
  if (id === undefined) throw new Bitrix24Error(400, '', 'ID is not defined or invalid.');
  return context.portal.entity(kind, id) ?? notFound();
}

/** Multifield input `[{VALUE, VALUE_TYPE}]`; with `ID`, an existing value changed, or removed by an empty VALUE. */
function applyMultifields(context: MethodContext, entity: CrmEntity, type: CommType, input: unknown): void {
  if (!Array.isArray(input))
    throw new Bitrix24Error(400, 'ERROR_CORE', `${type} must be an array of {VALUE, VALUE_TYPE}.`);
  for (const item of input) {
    if (!isRecord(item))
      throw new Bitrix24Error(400, 'ERROR_CORE', `${type} must be an array of {VALUE, VALUE_TYPE}.`);
    const valueType = String(item.VALUE_TYPE ?? 'WORK');
    if (!VALUE_TYPES[type].includes(valueType))
      throw new Bitrix24Error(400, 'ERROR_CORE', `Unknown ${type} VALUE_TYPE ${valueType}.`);
    const value = item.VALUE === undefined || item.VALUE === null ? '' : String(item.VALUE);
    const existingId = idParam(item.ID);
    const existing =
      existingId === undefined ? undefined : entity.multifields.find((m) => m.id === existingId);
    if (existing) {
      if (value === '' || item.DELETE === 'Y')
        entity.multifields = entity.multifields.filter((m) => m !== existing);
      else Object.assign(existing, { value, valueType });
    } else if (value !== '') {
      const added: Multifield = { id: context.portal.nextId('multifield'), typeId: type, value, valueType };
      entity.multifields.push(added);
    }
  }
}

/** Known fields are written; unknown keys are ignored ("An incorrect field in `fields` will be ignored", crm-contact-add.md). */
function applyFields(context: MethodContext, entity: CrmEntity, fields: Record<string, unknown>): void {
  for (const name of WRITABLE_FIELDS[entity.kind]) {
    if (!(name in fields)) continue;
    const value = fields[name];
    if (value === null || value === '') delete entity.fields[name];
    else entity.fields[name] = String(value);
  }
  const assigned = idParam(fields.ASSIGNED_BY_ID);
  if (assigned !== undefined) entity.assignedById = assigned;
  if (hasMultifields(entity.kind))
    for (const type of COMM_TYPES)
      if (fields[type] !== undefined) applyMultifields(context, entity, type, fields[type]);
}

/**
 * In simple CRM mode (crm.settings.mode.get 2) a new lead is converted at once: "when creating a lead
 * with a filled-in name, the system automatically converts it into a deal", the lead's STATUS_ID
 * becomes CONVERTED and the deal carries LEAD_ID (tutorials/crm/how-to-add-crm-objects/
 * how-to-add-objects-with-crm-mode.md). Whether a contact is made from the lead's name too is
 * unverified and not modelled.
 */
function convertInSimpleMode(context: MethodContext, lead: CrmEntity): void {
  if (context.portal.mode !== 2 || !(lead.fields.NAME || lead.fields.LAST_NAME)) return;
  lead.fields.STATUS_ID = 'CONVERTED';
  const title = lead.fields.TITLE ?? [lead.fields.NAME, lead.fields.LAST_NAME].filter(Boolean).join(' ');
  const deal: Record<string, string> = {
    TITLE: title,
    LEAD_ID: String(lead.id),
    STAGE_ID: 'NEW',
    CLOSED: 'N',
  };
  if (lead.fields.CONTACT_ID) deal.CONTACT_ID = lead.fields.CONTACT_ID;
  if (lead.fields.COMPANY_ID) deal.COMPANY_ID = lead.fields.COMPANY_ID;
  context.portal.addEntity('deal', deal, [], context.userId, lead.assignedById);
}

function add(kind: EntityKind): MethodDefinition {
  return {
    scope: 'crm',
    handle: (params, context) => {
      // No field is required (crm-contact-add.md, crm-lead-add.md mark none; a portal's own mandatory
      // fields are not modelled) and an unknown field is ignored (crm-contact-add.md `fields`).
      const fields = fieldsParam(params);
      const entity = context.portal.addEntity(kind, {}, [], context.userId);
      try {
        applyFields(context, entity, fields);
      } catch (error) {
        context.portal.entities.get(kind)?.delete(entity.id);
        throw error;
      }
      if (kind === 'lead' && !entity.fields.STATUS_ID) entity.fields.STATUS_ID = 'NEW';
      if (kind === 'lead') convertInSimpleMode(context, entity);
      // add answers the new id as an integer (crm-contact-add.md: `"result": 46`).
      return { result: entity.id };
    },
  };
}

function update(kind: EntityKind): MethodDefinition {
  return {
    scope: 'crm',
    handle: (params, context) => {
      const entity = findEntity(context, kind, params);
      const before = structuredClone({
        fields: entity.fields,
        multifields: entity.multifields,
        a: entity.assignedById,
      });
      try {
        applyFields(context, entity, fieldsParam(params));
      } catch (error) {
        Object.assign(entity, {
          fields: before.fields,
          multifields: before.multifields,
          assignedById: before.a,
        });
        throw error;
      }
      context.portal.touch(entity, context.userId);
      // update answers `true` (crm-contact-update.md, unverified here).
      return { result: true };
    },
  };
}

/**
 * Deletes the contact or lead and what hangs off it: "all associated objects" (crm-contact-delete.md),
 * "activities, history, timeline records" (crm-lead-delete.md), so its timeline comments and their files
 * go too. Answers `true`. An unknown id: ERROR_CORE "Element not found" for a contact (the contact
 * page's error table), an empty code and "Not found" for a lead (the lead page's); 400 both (unverified
 * for the contact's, whose table gives no status).
 */
function remove(kind: 'contact' | 'lead'): MethodDefinition {
  return {
    scope: 'crm',
    handle: (params, context) => {
      const id = idParam(params.id ?? params.ID);
      if (id === undefined) throw new Bitrix24Error(400, '', 'ID is not defined or invalid.');
      const entity = context.portal.entity(kind, id);
      if (!entity)
        throw kind === 'contact'
          ? new Bitrix24Error(400, 'ERROR_CORE', 'Element not found')
          : new Bitrix24Error(400, '', 'Not found');
      for (const comment of context.portal.commentsOf(kind, id)) {
        for (const fileId of comment.fileIds) context.portal.files.delete(fileId);
        context.portal.comments.delete(comment.id);
      }
      context.portal.entities.get(kind)?.delete(id);
      return { result: true };
    },
  };
}

function get(kind: EntityKind): MethodDefinition {
  return {
    scope: 'crm',
    handle: (params, context) => {
      return { result: entityView(findEntity(context, kind, params), 'all') };
    },
  };
}

/**
 * The entities matching `filter`: multifields (PHONE, EMAIL) match exactly only (crm-contact-list.md
 * `filter`); an unknown filter field is refused (unverified, the stricter choice).
 */
export function filterEntities(entities: CrmEntity[], kind: EntityKind, filter: unknown): CrmEntity[] {
  if (filter === undefined || filter === null || (Array.isArray(filter) && filter.length === 0))
    return entities;
  if (!isRecord(filter)) throw new Bitrix24Error(400, 'ERROR_CORE', 'filter must be an object.');
  const known = scalarFieldNames(kind);
  const conditions = Object.entries(filter).map(([key, wanted]) => {
    const { op, field } = parseFilterKey(key);
    const multi = hasMultifields(kind) && (COMM_TYPES as readonly string[]).includes(field);
    if (!multi && !known.includes(field))
      throw new Bitrix24Error(400, 'ERROR_CORE', `Unknown filter field ${field}.`);
    if (!filterValueFits(op, wanted))
      throw new Bitrix24Error(
        400,
        'ERROR_CORE',
        op === '@' || op === '!@'
          ? `Filter ${key} takes an array.`
          : `Filter ${key} takes one value; a list of values goes under @${field}.`,
      );
    return { op, field, wanted, multi };
  });
  return entities.filter((entity) =>
    conditions.every(({ op, field, wanted, multi }) => {
      if (multi) {
        const values = entity.multifields.filter((m) => m.typeId === field).map((m) => m.value);
        const exact = op === '%' || op === '=%' || op === '%=' ? '=' : op;
        return meets(values, exact, wanted);
      }
      return meets([scalarValue(entity, field)], op, wanted);
    }),
  );
}

function selectParam(params: Params): string[] {
  const select = listParam(params, 'select');
  return Array.isArray(select) ? select.map(String) : [];
}

/**
 * `order` by the entity's fields, ASC or DESC in either case (crm-contact-list.md, crm-lead-list.md
 * `order`); another field or direction is refused (unverified, the stricter choice).
 */
function checkOrder(kind: EntityKind, order: unknown): void {
  if (order === undefined || order === null || (Array.isArray(order) && order.length === 0)) return;
  if (!isRecord(order)) throw new Bitrix24Error(400, 'ERROR_CORE', 'order must be an object.');
  const known = scalarFieldNames(kind);
  for (const [field, direction] of Object.entries(order)) {
    if (!known.includes(field)) throw new Bitrix24Error(400, 'ERROR_CORE', `Cannot order by ${field}.`);
    if (!isDirection(direction))
      throw new Bitrix24Error(400, 'ERROR_CORE', `Unknown order direction ${String(direction)}.`);
  }
}

/**
 * A list: `filter` (several ids in one call with `@ID: [...]`), `select` (multifields only when
 * named: `PHONE`, `EMAIL`), `order`, 50 a page from `start` with `total` and `next`
 * (crm-contact-list.md, crm-lead-list.md).
 */
function list(kind: EntityKind): MethodDefinition {
  return {
    scope: 'crm',
    handle: (params, context) => {
      const matching = filterEntities(context.portal.all(kind), kind, listParam(params, 'filter'));
      const order = listParam(params, 'order');
      checkOrder(kind, order);
      const sorted = sortBy(
        matching.sort((a, b) => a.id - b.id),
        order,
        (e, f) => scalarValue(e, f),
      );
      const { rows, total, next } = page(sorted, startParam(params));
      const select = selectParam(params);
      return {
        result: rows.map((e) => entityView(e, select)),
        total,
        ...(next === undefined ? {} : { next }),
      };
    },
  };
}

export const ENTITY_METHODS: Record<string, MethodDefinition> = {
  'crm.contact.get': get('contact'),
  'crm.contact.list': list('contact'),
  'crm.contact.add': add('contact'),
  'crm.contact.update': update('contact'),
  'crm.contact.delete': remove('contact'),
  'crm.lead.get': get('lead'),
  'crm.lead.list': list('lead'),
  'crm.lead.add': add('lead'),
  'crm.lead.update': update('lead'),
  'crm.lead.delete': remove('lead'),
  // Takes `id` or `ID` (crm-company-get.md: the cURL example sends ID, the JS one id).
  'crm.company.get': get('company'),
  'crm.deal.list': list('deal'),
};
