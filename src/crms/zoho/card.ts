import { CrmError, type RecordCard, type RecordType } from '../types.js';
import { dealsOf } from './deals.js';
import {
  dateOf,
  lookupName,
  MODULE_OF,
  RECORD_FIELDS,
  type RecordLinks,
  recordUrl,
  text,
  toCrmRecord,
  type ZohoList,
} from './mapping.js';
import type { ZohoTransport } from './transport.js';

/** Stages that close a deal in Zoho's standard pipeline: a closed deal is not an open one. */
const CLOSED_STAGE = /^closed/i;
const CARD_NOTES = 5;
const EXCERPT_LENGTH = 200;

/**
 * The mini-CRM card of a contact or lead: its fields (company, owner, email, lead status), the
 * contact's open deals, and its latest notes written by people, not wasync's own day notes (those are
 * the chat the rep is looking at already; they carry the day marker).
 */
export async function readCard(
  transport: ZohoTransport,
  links: RecordLinks,
  record: { type: RecordType; id: string },
): Promise<RecordCard> {
  const module = MODULE_OF[record.type];
  const own = record.type === 'lead' ? ['Company', 'Lead_Status'] : ['Account_Name'];
  const answer = await transport.request<ZohoList>('GET', `${module}/${record.id}`, {
    query: { fields: [...RECORD_FIELDS, 'Email', 'Owner', ...own].join(',') },
  });
  const row = answer.body?.data?.[0];
  // getRecord.md: 204 when no record has the id (deleted, or a lead converted since).
  if (!row)
    throw new CrmError({
      kind: 'rejected',
      code: 'NOT_FOUND',
      message: `Zoho has no ${module} record ${record.id}`,
    });
  const openDeals =
    record.type === 'contact'
      ? (await dealsOf(transport, record.id, ['Deal_Name', 'Stage', 'Amount']))
          .filter((deal) => !CLOSED_STAGE.test(text(deal, 'Stage') ?? ''))
          .map((deal) => ({
            id: String(deal.id),
            name: text(deal, 'Deal_Name') ?? '',
            stage: text(deal, 'Stage'),
            amount: typeof deal.Amount === 'number' ? deal.Amount : undefined,
            url: recordUrl(links, 'Deals', String(deal.id)),
          }))
      : [];
  const notes = await transport.request<ZohoList>('GET', `${module}/${record.id}/Notes`, {
    query: { fields: 'Note_Title,Note_Content,Created_Time', per_page: 20, page: 1 },
  });
  const latestNotes = (notes.body?.data ?? [])
    .filter((note) => !/wasync:[0-9a-f]{24}/.test(text(note, 'Note_Content') ?? ''))
    .map((note) => ({
      id: String(note.id),
      title: text(note, 'Note_Title') ?? '',
      excerpt: [...(text(note, 'Note_Content') ?? '')].slice(0, EXCERPT_LENGTH).join(''),
      createdAt: dateOf(text(note, 'Created_Time')) ?? new Date(0),
    }))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, CARD_NOTES);
  return {
    ...toCrmRecord(row, record.type, links),
    company: record.type === 'lead' ? text(row, 'Company') : lookupName(row, 'Account_Name'),
    owner: lookupName(row, 'Owner'),
    email: text(row, 'Email'),
    leadStatus: record.type === 'lead' ? text(row, 'Lead_Status') : undefined,
    openDeals,
    latestNotes,
  };
}
