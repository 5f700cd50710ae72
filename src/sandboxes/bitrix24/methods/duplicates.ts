/**
 * `crm.duplicate.findbycomm` (b24restdocs api-reference/crm/duplicates/crm-duplicate-find-by-comm.md):
 * the ids of leads, contacts and companies holding any of up to 20 phones or emails. It searches the
 * duplicate index, so formatting does not matter and phone extensions are ignored (the page: "does not
 * consider the phone extension"; crm-apis.md §0.1, §3.2).
 */
import { Bitrix24Error, type MethodDefinition } from '../method.js';
import type { CommType, EntityKind } from '../portal.js';

const MAX_VALUES = 20;
/** The order types are searched in; 20 or more hits in one stops the later ones (the page's "Features"). */
const TYPES = [
  ['LEAD', 'lead'],
  ['CONTACT', 'contact'],
  ['COMPANY', 'company'],
] as const satisfies readonly (readonly [string, EntityKind])[];
const DUPLICATE_LIMIT = 20;

/**
 * A phone as the duplicate index compares it: its digits, without an extension. Which extension
 * markers the index knows is unverified (the sandbox cuts at `ext`, `x`, `#`, `,`, `;`, `доб`), and
 * so is leaving a national prefix alone: `89…` and `+79…` stay different (the stricter choice).
 */
export function phoneKey(value: string): string {
  const main = value.split(/ext\.?|доб\.?|[x#,;]/i)[0] ?? '';
  return main.replace(/\D/g, '');
}

export const emailKey = (value: string) => value.trim().toLowerCase();

const keyOf = (type: CommType, value: string) => (type === 'PHONE' ? phoneKey(value) : emailKey(value));

export const findByComm: MethodDefinition = {
  scope: 'crm',
  handle: (params, context) => {
    const type = params.type;
    // The page's error table: 400 "Communication type is not defined", "… is not supported in current
    // context", "Communication values is not defined".
    if (type === undefined || type === '')
      throw new Bitrix24Error(400, 'Communication type is not defined', "Parameter 'type' is required.");
    if (type !== 'PHONE' && type !== 'EMAIL')
      throw new Bitrix24Error(
        400,
        `Communication type '${String(type)}' is not supported in current context`,
        `Communication type '${String(type)}' is not supported in current context`,
      );
    const raw = params.values;
    const values = Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw];
    if (values.length === 0)
      throw new Bitrix24Error(400, 'Communication values is not defined', "Parameter 'values' is required.");
    // "Maximum number of values — 20"; the answer to more is undocumented (unverified: refused).
    if (values.length > MAX_VALUES)
      throw new Bitrix24Error(400, 'ERROR_CORE', `Too many communication values: at most ${MAX_VALUES}.`);
    const entityType = params.entity_type;
    const wantedTypes =
      entityType === undefined || entityType === ''
        ? TYPES
        : TYPES.filter(([name]) => name === String(entityType).toUpperCase());
    if (wantedTypes.length === 0)
      throw new Bitrix24Error(400, 'ERROR_CORE', `Entity type '${String(entityType)}' is not supported.`);

    const keys = new Set(values.map((v) => keyOf(type, String(v))).filter((k) => k !== ''));
    const result: Record<string, number[]> = {};
    for (const [name, kind] of wantedTypes) {
      // Simple mode keeps its leads, converted (see entities.ts), so they are found there too (unverified).
      const ids = context.portal
        .all(kind)
        .filter((e) => e.multifields.some((m) => m.typeId === type && keys.has(keyOf(type, m.value))))
        .map((e) => e.id)
        .sort((a, b) => a - b);
      if (ids.length === 0) continue;
      // Whether the list itself is cut at 20 is unverified; the sandbox cuts it (the stricter choice).
      result[name] = ids.slice(0, DUPLICATE_LIMIT);
      if (ids.length >= DUPLICATE_LIMIT) break;
    }
    // Nothing found answers an empty array, PHP's empty array (crm-apis.md §3.2).
    return { result: Object.keys(result).length === 0 ? [] : result };
  },
};
