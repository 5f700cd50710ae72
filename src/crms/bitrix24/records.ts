/**
 * Contacts and leads made from a chat, and found by name for linking by hand.
 */
import { CrmError, type CrmRecord, type NewRecord, type RecordType } from '../types.js';
import { idOf, splitName, toCrmRecord } from './mapping.js';
import { contactsFirst, okResult, type PortalRecords, recordListCommand, recordsOf } from './phone-lookup.js';
import type { Bitrix24Command, Bitrix24Transport } from './transport.js';

/** As many results as a person reads in the "link existing record" list (the Zoho search's 20). */
export const SEARCH_RESULTS = 20;
/** TITLE and COMPANY_TITLE are kept to 255 characters (b_crm_lead; unverified through the REST docs). */
const TITLE_LENGTH = 255;

export interface NewRecordDefaults {
  leadTitle: string;
  sourceId: string | undefined;
}

/**
 * `crm.contact.add` / `crm.lead.add` with the name split as the portal keeps it and the number as a
 * MOBILE phone (crm-contact-add.md: PHONE `[{VALUE, VALUE_TYPE}]`). In simple mode the portal has no
 * leads: a lead added there is turned into a deal at once (how-to-add-objects-with-crm-mode.md), so a
 * lead is refused here before anything is written, and the person makes a contact instead.
 */
export async function createRecord(
  transport: Bitrix24Transport,
  portal: PortalRecords,
  defaults: NewRecordDefaults,
  record: NewRecord,
): Promise<CrmRecord> {
  if (record.type === 'lead' && !(await portal.mode.usesLeads()))
    throw new CrmError({
      kind: 'rejected',
      code: 'LEADS_DISABLED',
      message: 'This Bitrix24 portal uses the simple CRM mode, which has no leads: create a contact instead',
    });
  const name = splitName(record.name);
  const fields: Record<string, unknown> = {
    ...name,
    PHONE: [{ VALUE: record.phone, VALUE_TYPE: 'MOBILE' }],
  };
  if (defaults.sourceId) fields.SOURCE_ID = defaults.sourceId;
  if (record.type === 'lead') {
    fields.TITLE = cut(`${defaults.leadTitle}: ${record.name.trim() || name.NAME}`, TITLE_LENGTH);
    if (record.company?.trim()) fields.COMPANY_TITLE = cut(record.company.trim(), TITLE_LENGTH);
  }
  const answer = await transport.call<unknown>(`crm.${record.type}.add`, { fields });
  // add answers the new id as an integer (crm-contact-add.md, crm-lead-add.md).
  const id = idOf(answer.result);
  if (id === undefined)
    throw new CrmError({
      kind: 'retryable',
      code: 'UNEXPECTED_ANSWER',
      message: `Bitrix24 answered crm.${record.type}.add without an id`,
      vendorAnswer: answer.result,
      outcomeUnknown: true,
    });
  return toCrmRecord({ ID: id, ...fields }, record.type, portal.portalUrl);
}

/**
 * Contacts (and leads, where the portal has them) whose first or last name holds the query, in one
 * batch request: `%NAME` is LIKE "in any position of the string", without `%` in the value
 * (crm-contact-list.md `filter`). The filter has no OR (`logic` is not supported), so NAME and
 * LAST_NAME are separate commands, and "Ana Souza" is also asked as first and last name together.
 */
export async function searchByName(
  transport: Bitrix24Transport,
  portal: PortalRecords,
  query: string,
): Promise<CrmRecord[]> {
  // `%` and `_` would be wildcards inside LIKE.
  const term = query.replace(/[%_]/g, ' ').replace(/\s+/g, ' ').trim();
  if (term.length < 2) return [];
  const types: RecordType[] = (await portal.mode.usesLeads()) ? ['contact', 'lead'] : ['contact'];
  const filters: Record<string, string>[] = [{ '%NAME': term }, { '%LAST_NAME': term }];
  const words = term.split(' ');
  if (words.length > 1)
    filters.push({ '%NAME': words.slice(0, -1).join(' '), '%LAST_NAME': words.at(-1) ?? '' });
  const asks: { type: RecordType; command: Bitrix24Command }[] = types.flatMap((type) =>
    filters.map((filter) => ({ type, command: recordListCommand(type, filter) })),
  );
  const results = await transport.batch<unknown>(asks.map((ask) => ask.command));
  const found = new Map<string, CrmRecord>();
  asks.forEach(({ type }, index) => {
    for (const record of recordsOf(okResult(results[index]), type, portal.portalUrl))
      found.set(`${record.type}:${record.id}`, record);
  });
  return [...found.values()].sort(contactsFirst).slice(0, SEARCH_RESULTS);
}

function cut(value: string, length: number): string {
  return [...value].slice(0, length).join('');
}
