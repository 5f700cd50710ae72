/**
 * `crm.item.list` (b24restdocs api-reference/crm/universal/crm-item-list.md): the newer API's list,
 * answering `{items: [...]}` with `total`/`next`, camelCase fields and ids as numbers. entityTypeId:
 * 1 lead, 2 deal, 3 contact, 4 company (crm-apis.md §3.3).
 */
import { Bitrix24Error, type MethodDefinition } from '../method.js';
import type { CrmEntity, EntityKind } from '../portal.js';
import { filterEntities } from './entities.js';
import { scalarFieldNames, scalarValue } from './entity-views.js';
import { filterValueFits, idParam, isRecord, page, sortBy, startParam } from './params.js';

const KIND_BY_TYPE_ID: Record<number, EntityKind> = { 1: 'lead', 2: 'deal', 3: 'contact', 4: 'company' };

/**
 * Old names whose camelCase is not the plain conversion: a lead's status is `stageId` (crm-item-list.md
 * example selects `stageId` on leads), creation/update are createdTime/updatedTime, createdBy/updatedBy
 * (the page's PHP example).
 */
const RENAMED: Record<string, string> = {
  CREATED_BY_ID: 'createdBy',
  MODIFY_BY_ID: 'updatedBy',
  DATE_CREATE: 'createdTime',
  DATE_MODIFY: 'updatedTime',
  STATUS_ID: 'stageId',
};
const NUMERIC = new Set([
  'ID',
  'ASSIGNED_BY_ID',
  'CREATED_BY_ID',
  'MODIFY_BY_ID',
  'COMPANY_ID',
  'CONTACT_ID',
  'CATEGORY_ID',
]);

export function camelName(field: string): string {
  return RENAMED[field] ?? field.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function itemFields(kind: EntityKind): Map<string, string> {
  return new Map(
    scalarFieldNames(kind)
      .filter((f) => f !== 'HAS_PHONE' && f !== 'HAS_EMAIL')
      .map((f) => [camelName(f), f]),
  );
}

function itemValue(entity: CrmEntity, field: string): unknown {
  const value = scalarValue(entity, field);
  if (value === null) return null;
  if (NUMERIC.has(field)) return Number(value);
  if (field === 'OPPORTUNITY') return Number(value);
  return value;
}

/**
 * An item with the selected fields (`*` or none: every field). `fm`, the multifields as
 * `{id, typeId, valueType, value}`, only when named (unverified).
 */
function itemView(entity: CrmEntity, select: string[]) {
  const fields = itemFields(entity.kind);
  const all = select.length === 0 || select.includes('*');
  const view: Record<string, unknown> = {};
  for (const [camel, old] of fields)
    if (all || camel === 'id' || select.includes(camel)) view[camel] = itemValue(entity, old);
  if (select.includes('fm') && entity.kind !== 'deal')
    view.fm = entity.multifields.map((m) => ({
      id: m.id,
      typeId: m.typeId,
      valueType: m.valueType,
      value: m.value,
    }));
  return view;
}

export const itemList: MethodDefinition = {
  scope: 'crm',
  handle: (params, context) => {
    const typeId = idParam(params.entityTypeId);
    const kind = typeId === undefined ? undefined : KIND_BY_TYPE_ID[typeId];
    // An unknown entityTypeId is NOT_FOUND "Smart process not found" (the page's error table).
    if (!kind) throw new Bitrix24Error(400, 'NOT_FOUND', 'Smart process not found');
    const fields = itemFields(kind);
    const filter = params.filter;
    let oldFilter: Record<string, unknown> | undefined;
    if (isRecord(filter)) {
      oldFilter = {};
      for (const [key, value] of Object.entries(filter)) {
        const match = /^(>=|<=|!@|!=|=%|%=|>|<|@|%|=|!)?(.+)$/.exec(key);
        const op = match?.[1] ?? '';
        const name = match?.[2] ?? key;
        const old = fields.get(name);
        // The page's error table; the `logic` sub-filters it documents are not modelled and refused too.
        if (!old)
          throw new Bitrix24Error(
            400,
            'INVALID_ARG_VALUE',
            `Invalid filter: field '${name}' is not allowed in filter`,
          );
        // "Invalid filter: field 'x' has invalid value" (the page's error table): a list where one
        // value goes, or one value where `@`/`!@` take an array (see filterValueFits).
        if (!filterValueFits(op, value))
          throw new Bitrix24Error(
            400,
            'INVALID_ARG_VALUE',
            `Invalid filter: field '${name}' has invalid value`,
          );
        oldFilter[`${op}${old}`] = value;
      }
    }
    const matching = filterEntities(context.portal.all(kind), kind, oldFilter);
    const order = isRecord(params.order) ? params.order : { id: 'ASC' };
    for (const [field, direction] of Object.entries(order)) {
      if (!fields.has(field))
        throw new Bitrix24Error(
          400,
          'INVALID_ARG_VALUE',
          `Invalid order: field '${field}' is not allowed in order`,
        );
      if (!['ASC', 'DESC'].includes(String(direction).toUpperCase()))
        throw new Bitrix24Error(
          400,
          'INVALID_ARG_VALUE',
          `Invalid order: allowed sort directions are ASC, DESC. But got '${String(direction)}' for field '${field}'`,
        );
    }
    const sorted = sortBy(
      matching.sort((a, b) => a.id - b.id),
      order,
      (e, f) => {
        const old = fields.get(f);
        return old ? scalarValue(e, old) : null;
      },
    );
    const { rows, total, next } = page(sorted, startParam(params));
    const select = Array.isArray(params.select) ? params.select.map(String) : [];
    return {
      result: { items: rows.map((e) => itemView(e, select)) },
      total,
      ...(next === undefined ? {} : { next }),
    };
  },
};
