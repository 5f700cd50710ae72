import { markerIn } from '../kit/day-marker.js';
import { noteExcerpt } from '../kit/note-excerpt.js';
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
  type ZohoRow,
} from './mapping.js';
import type { ZohoTransport } from './transport.js';

/** Stages that close a deal in Zoho's standard pipeline: a closed deal is not an open one. */
const CLOSED_STAGE = /^closed/i;
const CARD_NOTES = 5;
const EXCERPT_LENGTH = 200;
const NOTES_PER_PAGE = 200;
/**
 * Pages read for the card's notes at most: Zoho pages by number only through the first 2000 records
 * (crm-oas v8.0 notes getNotesModule, DISCRETE_PAGINATION_LIMIT_EXCEEDED and `page_token`).
 */
const NOTE_PAGES = 2000 / NOTES_PER_PAGE;

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
  const latestNotes = (await peopleNotes(transport, module, record.id))
    .map((note) => ({
      id: String(note.id),
      title: text(note, 'Note_Title') ?? '',
      excerpt: noteExcerpt(text(note, 'Note_Content') ?? '', EXCERPT_LENGTH),
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

/**
 * The record's latest notes written by people, newest first: wasync's day notes (one per chat-day,
 * carrying the day marker) are left out, and as they can outnumber people's notes many times over,
 * pages are read until {@link CARD_NOTES} of people's are found or the notes end. Newest first is
 * asked for with `sort_by=Created_Time&sort_order=desc` (crm-oas v8.0 notes getNotesModule; that the
 * related list takes them too is unverified, so the card sorts again).
 */
async function peopleNotes(transport: ZohoTransport, module: string, id: string) {
  const found: ZohoRow[] = [];
  for (let page = 1; page <= NOTE_PAGES && found.length < CARD_NOTES; page++) {
    const answer = await transport.request<ZohoList>('GET', `${module}/${id}/Notes`, {
      query: {
        fields: 'Note_Title,Note_Content,Created_Time',
        sort_by: 'Created_Time',
        sort_order: 'desc',
        per_page: NOTES_PER_PAGE,
        page,
      },
    });
    found.push(...(answer.body?.data ?? []).filter((note) => !markerIn(text(note, 'Note_Content') ?? '')));
    if (!answer.body?.info?.more_records) break;
  }
  return found;
}
