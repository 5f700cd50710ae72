/**
 * Finding WhatsApp numbers among Bitrix24 contacts and leads, however they are spelled, in two batch
 * rounds: the portal's duplicate index says which records hold any of the numbers, then those records
 * are read with their phones, and each hit is confirmed by reading its numbers here.
 *
 * - `crm.duplicate.findbycomm` takes up to 20 values a call and ignores formatting and extensions
 *   (b24restdocs api-reference/crm/duplicates/crm-duplicate-find-by-comm.md). It is asked for the digit
 *   strings a number may be stored under (international, national with and without the trunk prefix,
 *   the BR/MX/AR forms: numberToFind's searchTerms), twenty to a command, every command of a lookup in
 *   `batch`, so many numbers cost a request or two. The page says 20 or more duplicates of one type
 *   hide the other types, so each command asks one type (CONTACT; LEAD only where the portal has leads).
 *   Whether one type's own list is cut at 20 the page does not say: a command answering 20 ids is asked
 *   again in halves, so that no hit is lost behind the cut (unverified; the sandbox cuts).
 * - The hits are read with `crm.contact.list` / `crm.lead.list`, filter `@ID` (IN) and PHONE named in
 *   `select` (crm-contact-list.md: multifields come only when named), 50 ids a command (a page): the
 *   docs' own search by phone does the same two steps (tutorials/crm/how-to-get-lists/
 *   search-by-phone-and-email.md).
 *
 * The index matches digits, not numbers: `11987654321` is held by a São Paulo contact and by a
 * number of another country with the same digits, so a link never rests on the index alone.
 */
import { type NumberToFind, numberToFind } from '../../core/phone-lookup.js';
import type { CrmRecord, LookupContext, PhoneLookup, RecordType } from '../types.js';
import { type Bitrix24Row, idOf, RECORD_SELECT, text, toCrmRecord } from './mapping.js';
import type { Bitrix24Command, Bitrix24Transport, CommandResult } from './transport.js';

/** "Maximum number of values — 20" (crm-duplicate-find-by-comm.md). */
export const FINDBYCOMM_VALUES = 20;
/** 20 or more duplicates of one type change what the method answers (the page's "Features"). */
const DUPLICATE_CUT = 20;
/** A list page is always 50 records (crm-contact-list.md `start`): 50 ids a read command. */
const LIST_PAGE = 50;

const ENTITY_TYPE: Record<RecordType, 'CONTACT' | 'LEAD'> = { contact: 'CONTACT', lead: 'LEAD' };

/** What a lead read also needs: STATUS_ID, for a portal that does not answer STATUS_SEMANTIC_ID. */
export const LEAD_SELECT = [...RECORD_SELECT, 'STATUS_ID'];

/** What a lookup needs of its destination: where records open, and whether the portal has leads. */
export interface PortalRecords {
  readonly portalUrl: string;
  /** In simple mode no lead is asked for or made. */
  readonly mode: { usesLeads(): Promise<boolean> };
}

export async function findRecordsByPhone(
  transport: Bitrix24Transport,
  portal: PortalRecords,
  numbers: readonly PhoneLookup[],
  context: LookupContext,
): Promise<Map<string, CrmRecord[]>> {
  const result = new Map<string, CrmRecord[]>();
  if (numbers.length === 0) return result;
  const targets = numbers.map((n) => ({ key: n.key, number: numberToFind(n.phone) }));
  const distinct = [...new Map(targets.map((t) => [t.number.e164, t.number])).values()];
  const types: RecordType[] = (await portal.mode.usesLeads()) ? ['contact', 'lead'] : ['contact'];
  const hits = await duplicateIds(transport, types, distinct);
  const records = (await readRecords(transport, hits, portal.portalUrl)).sort(contactsFirst);
  for (const { key, number } of targets) {
    const holds = (record: CrmRecord) => record.phones.some((p) => number.isHeldIn(p, context.defaultRegion));
    result.set(key, records.filter(holds));
  }
  return result;
}

interface DuplicateAsk {
  type: RecordType;
  values: string[];
}

/** The ids the duplicate index holds the numbers under, per type, in as few batch requests as it takes. */
async function duplicateIds(
  transport: Bitrix24Transport,
  types: readonly RecordType[],
  numbers: readonly NumberToFind[],
): Promise<Map<RecordType, Set<string>>> {
  const values = [...new Set(numbers.flatMap((n) => n.searchTerms))];
  const found = new Map<RecordType, Set<string>>(types.map((type) => [type, new Set<string>()]));
  let asks: DuplicateAsk[] = types.flatMap((type) =>
    chunks(values, FINDBYCOMM_VALUES).map((v) => ({ type, values: v })),
  );
  while (asks.length > 0) {
    const results = await transport.batch<unknown>(asks.map(findByCommCommand));
    const again: DuplicateAsk[] = [];
    asks.forEach((ask, index) => {
      const ids = duplicatesOf(okResult(results[index]), ask.type);
      for (const id of ids) found.get(ask.type)?.add(id);
      if (ids.length >= DUPLICATE_CUT && ask.values.length > 1) {
        const half = Math.ceil(ask.values.length / 2);
        again.push({ type: ask.type, values: ask.values.slice(0, half) });
        again.push({ type: ask.type, values: ask.values.slice(half) });
      }
    });
    asks = again;
  }
  return found;
}

function findByCommCommand(ask: DuplicateAsk): Bitrix24Command {
  return {
    method: 'crm.duplicate.findbycomm',
    params: { entity_type: ENTITY_TYPE[ask.type], type: 'PHONE', values: ask.values },
  };
}

/** `{CONTACT: [ids]}`, or `[]` when nothing matched (PHP's empty array: the crm-apis notes §3.2). */
function duplicatesOf(result: unknown, type: RecordType): string[] {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return [];
  const ids = (result as Record<string, unknown>)[ENTITY_TYPE[type]];
  if (!Array.isArray(ids)) return [];
  return ids.map(idOf).filter((id): id is string => id !== undefined);
}

/**
 * The records with their phones, converted leads left out. A record deleted since the index answered
 * is simply not there.
 */
async function readRecords(
  transport: Bitrix24Transport,
  ids: Map<RecordType, Set<string>>,
  portalUrl: string,
): Promise<CrmRecord[]> {
  const reads: { type: RecordType; command: Bitrix24Command }[] = [];
  for (const [type, set] of ids)
    for (const chunk of chunks([...set], LIST_PAGE))
      reads.push({ type, command: recordListCommand(type, { '@ID': chunk }) });
  if (reads.length === 0) return [];
  const results = await transport.batch<unknown>(reads.map((read) => read.command));
  return reads.flatMap(({ type }, index) => recordsOf(okResult(results[index]), type, portalUrl));
}

/** A list command for contacts or leads with the fields a lookup reads. */
export function recordListCommand(type: RecordType, filter: Record<string, unknown>): Bitrix24Command {
  return {
    method: `crm.${type}.list`,
    params: { filter, select: type === 'lead' ? LEAD_SELECT : [...RECORD_SELECT], order: { ID: 'ASC' } },
  };
}

/** The rows of a list answer as records, converted leads left out. */
export function recordsOf(result: unknown, type: RecordType, portalUrl: string): CrmRecord[] {
  if (!Array.isArray(result)) return [];
  return (result as Bitrix24Row[])
    .filter((row) => type !== 'lead' || !isConvertedLead(row))
    .map((row) => toCrmRecord(row, type, portalUrl));
}

/**
 * A lead processed successfully: STATUS_SEMANTIC_ID `S` (crm-lead-fields.md: "S (success) – processed
 * successfully"), which is what conversion into a contact or deal leaves. A portal (or sandbox) that
 * does not answer the semantics is read by the standard final status, CONVERTED.
 */
export function isConvertedLead(row: Bitrix24Row): boolean {
  const semantic = text(row, 'STATUS_SEMANTIC_ID');
  if (semantic !== undefined) return semantic === 'S';
  return text(row, 'STATUS_ID') === 'CONVERTED';
}

/** Contacts before leads; among each, the one created first, then the lower id. */
export function contactsFirst(a: CrmRecord, b: CrmRecord): number {
  if (a.type !== b.type) return a.type === 'contact' ? -1 : 1;
  const age = (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0);
  return age !== 0 ? age : Number(a.id) - Number(b.id);
}

/** A command's result; a failed command fails the lookup (a missed hit would link the wrong record). */
export function okResult(result: CommandResult | undefined): unknown {
  if (!result) return undefined;
  if (!result.ok) throw result.error;
  return result.result;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
