/** Reading a call's parameters the way the portal does, and the shapes its answers share. */
import { Bitrix24Error } from '../method.js';

export type Params = Record<string, unknown>;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A positive integer id from a number or a numeric string (query strings carry only strings). */
export function idParam(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * A list parameter given either lowercase or uppercase: the list pages' own examples pass `filter`,
 * `select`, `order` in both spellings (crm-contact-list.md, cURL `FILTER`/`ORDER`/`SELECT`, JS
 * lowercase).
 */
export function listParam(params: Params, name: 'filter' | 'select' | 'order'): unknown {
  return params[name] ?? params[name.toUpperCase()];
}

/**
 * `fields` of crm.contact.* and crm.lead.* writes: crm-contact-add.md's own cURL example spells it
 * `FIELDS`, its JS example `fields`, so both are taken here (timeline comments take lowercase only).
 */
export function fieldsParam(params: Params): Record<string, unknown> {
  const fields = params.fields ?? params.FIELDS;
  if (!isRecord(fields)) throw new Bitrix24Error(400, 'ERROR_CORE', 'Parameter fields is required.');
  return fields;
}

/** `start` of a paged list, 0 when absent (crm-timeline-comment-list.md `start`). */
export function startParam(params: Params): number {
  const start = Number(params.start ?? 0);
  return Number.isInteger(start) && start > 0 ? start : 0;
}

/** Pages are always 50 records, `next` only when more remain (crm-contact-list.md `start`, `next`). */
export const PAGE_SIZE = 50;

export function page<T>(rows: T[], start: number): { rows: T[]; total: number; next?: number } {
  const slice = rows.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE < rows.length ? start + PAGE_SIZE : undefined;
  return { rows: slice, total: rows.length, ...(next === undefined ? {} : { next }) };
}

/** The portal's datetime: ISO 8601 with the offset, seconds precision (`2024-02-26T00:00:00+02:00`). */
export function bitrixDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** Comparing two field values for `order`: numerically when both are numbers. */
export function compareValues(a: unknown, b: unknown): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && a !== null && b !== null && !Number.isNaN(na) && !Number.isNaN(nb))
    return na - nb;
  return String(a ?? '').localeCompare(String(b ?? ''));
}

export function sortBy<T>(rows: T[], order: unknown, value: (row: T, field: string) => unknown): T[] {
  if (!isRecord(order)) return rows;
  const keys = Object.entries(order);
  return [...rows].sort((x, y) => {
    for (const [field, direction] of keys) {
      const sign = String(direction).toUpperCase() === 'DESC' ? -1 : 1;
      const c = compareValues(value(x, field), value(y, field));
      if (c !== 0) return sign * c;
    }
    return 0;
  });
}

/**
 * One filter condition: the key's operator prefix (`>=`, `>`, `<=`, `<`, `@`, `!@`, `%`, `=%`, `%=`,
 * `=`, `!=`, `!`) and the field it applies to (crm-contact-list.md `filter`).
 */
export function parseFilterKey(key: string): { op: string; field: string } {
  const match = /^(>=|<=|!@|!=|=%|%=|>|<|@|%|=|!)?(.+)$/.exec(key);
  return { op: match?.[1] ?? '=', field: match?.[2] ?? key };
}

/**
 * Whether a filter value has the form its operator takes: `@` (IN) and `!@` (NOT IN) take an array
 * ("an array is passed as the value": crm-contact-list.md, crm-lead-list.md, crm-item-list.md), every
 * other operator one value. A list under a plain key (`ID: [1, 2]`) is not documented for CRM lists
 * and is refused (unverified, the stricter choice; `@ID` is the documented way to read several ids).
 */
export function filterValueFits(op: string, value: unknown): boolean {
  return op === '@' || op === '!@' ? Array.isArray(value) : !Array.isArray(value);
}

/** Whether `direction` is ASC or DESC, in either case (crm-lead-list.md shows `asc`/`desc`). */
export const isDirection = (direction: unknown) => ['ASC', 'DESC'].includes(String(direction).toUpperCase());

/** Whether a stored value (or any of several, for multifields) meets one filter condition. */
export function meets(stored: unknown[], op: string, wanted: unknown): boolean {
  const values = stored.map((v) => (v === null || v === undefined ? '' : String(v)));
  const list = Array.isArray(wanted) ? wanted.map(String) : [String(wanted ?? '')];
  const like = (pattern: string, value: string) => {
    const re = new RegExp(`^${pattern.split('%').map(escapeRegex).join('.*')}$`, 'i');
    return re.test(value);
  };
  switch (op) {
    case '=':
      return values.some((v) => list.includes(v));
    case '@':
      return values.some((v) => list.includes(v));
    case '!':
    case '!=':
    case '!@':
      return !values.some((v) => list.includes(v));
    case '%':
      return values.some((v) => v.toLowerCase().includes(String(wanted).toLowerCase()));
    case '=%':
    case '%=':
      return values.some((v) => like(String(wanted), v));
    default: {
      const target = String(wanted);
      return values.some((v) => {
        const c = compareValues(v, target);
        return op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '<' ? c < 0 : c <= 0;
      });
    }
  }
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
