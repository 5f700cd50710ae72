import { noteExcerpt } from '../kit/note-excerpt.js';
import { CrmError, type RecordCard, type RecordType } from '../types.js';
import {
  OBJECT_OF,
  type QueryAnswer,
  recordUrl,
  related,
  type SoqlRow,
  text,
  toCrmRecord,
} from './mapping.js';
import { queryMany } from './query.js';
import { soqlList, soqlString } from './soql.js';
import type { SalesforceTransport } from './transport.js';

const CARD_FIELDS: Record<RecordType, string> = {
  contact: 'Id, Name, Phone, MobilePhone, Email, Account.Name, Owner.Name',
  lead: 'Id, Name, Phone, MobilePhone, Email, Company, Status, Owner.Name',
};

const CARD_NOTES = 5;
const EXCERPT_LENGTH = 200;
/** Chat records per link query: well inside SOQL's 100,000 characters. */
const CHATS_PER_QUERY = 200;

/**
 * The mini-CRM card: the record, its open opportunities (contacts) and the five latest notes people
 * wrote on it (wasync's own day notes are the chat the rep is looking at already).
 */
export async function readCard(
  transport: SalesforceTransport,
  record: { type: RecordType; id: string },
): Promise<RecordCard> {
  const object = OBJECT_OF[record.type];
  const query = async (soql: string) =>
    (await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`)).body.records;
  const [row] = await query(
    `SELECT ${CARD_FIELDS[record.type]} FROM ${object} WHERE Id = ${soqlString(record.id)}`,
  );
  if (!row) {
    throw new CrmError({
      kind: 'rejected',
      code: 'NOT_FOUND',
      message: `${object} ${record.id} was not found`,
    });
  }
  const instanceUrl = await transport.instanceUrl();
  const deals = record.type === 'contact' ? await openDealsOf(query, record.id) : [];
  const notes = await peopleNotes(transport, query, record);
  return {
    ...toCrmRecord(row, record.type, instanceUrl),
    company: record.type === 'lead' ? text(row, 'Company') : related(row, 'Account', 'Name'),
    owner: related(row, 'Owner', 'Name'),
    email: text(row, 'Email'),
    leadStatus: record.type === 'lead' ? text(row, 'Status') : undefined,
    openDeals: deals.map((deal) => toDeal(deal, instanceUrl)),
    latestNotes: notes.map((note) => ({
      id: text(note, 'Id') ?? '',
      title: text(note, 'Title') ?? '',
      // TextPreview is the note's first 255 characters, cut wherever they end.
      excerpt: noteExcerpt(text(note, 'TextPreview') ?? '', EXCERPT_LENGTH),
      createdAt: new Date(text(note, 'CreatedDate') ?? 0),
    })),
  };
}

/**
 * A contact's open opportunities: those it has a role on (OpportunityContactRole, how orgs link
 * contacts to deals) and those naming it as their contact (Opportunity.ContactId, the primary one).
 */
async function openDealsOf(
  query: (soql: string) => Promise<SoqlRow[]>,
  contactId: string,
): Promise<SoqlRow[]> {
  const roles = await query(
    `SELECT OpportunityId FROM OpportunityContactRole WHERE ContactId = ${soqlString(contactId)} LIMIT 200`,
  );
  const viaRoles = [
    ...new Set(roles.map((row) => text(row, 'OpportunityId')).filter((id) => id !== undefined)),
  ];
  const linked =
    viaRoles.length > 0
      ? `(ContactId = ${soqlString(contactId)} OR Id IN ${soqlList(viaRoles)})`
      : `ContactId = ${soqlString(contactId)}`;
  return query(
    `SELECT Id, Name, StageName, Amount FROM Opportunity WHERE IsClosed = false AND ${linked} ORDER BY CloseDate LIMIT 10`,
  );
}

function toDeal(row: SoqlRow, instanceUrl: string): RecordCard['openDeals'][number] {
  const id = text(row, 'Id') ?? '';
  const amount = row.Amount;
  return {
    id,
    name: text(row, 'Name') ?? '',
    stage: text(row, 'StageName'),
    amount: typeof amount === 'number' ? amount : undefined,
    url: recordUrl(instanceUrl, 'Opportunity', id),
  };
}

/**
 * The record's latest notes written by people, newest first. wasync writes a day's note on a contact
 * linked to that day's WhatsApp_Chat__c record too (transcripts.ts), so a note linked to one of the
 * contact's chat records is wasync's, left out before the five are chosen: day notes may outnumber
 * people's many times. FileType SNOTE keeps files uploaded to the record out (Object Reference,
 * ContentNote). Queries with id lists go in Composite bodies, where no URL length limits them.
 */
async function peopleNotes(
  transport: SalesforceTransport,
  query: (soql: string) => Promise<SoqlRow[]>,
  record: { type: RecordType; id: string },
): Promise<SoqlRow[]> {
  const links = await query(
    `SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = ${soqlString(record.id)} AND ContentDocument.FileType = 'SNOTE'`,
  );
  const noteIds = new Set(
    links.map((link) => text(link, 'ContentDocumentId')).filter((id): id is string => id !== undefined),
  );
  if (noteIds.size === 0) return [];
  if (record.type === 'contact') {
    for (const id of await dayNotesOf(transport, record.id)) noteIds.delete(id);
  }
  if (noteIds.size === 0) return [];
  const [notes = []] = await queryMany(transport, [
    `SELECT Id, Title, TextPreview, CreatedDate FROM ContentNote WHERE Id IN ${soqlList([...noteIds])} ORDER BY CreatedDate DESC LIMIT ${CARD_NOTES}`,
  ]);
  return notes;
}

/** The notes linked to the contact's chat records: none where the custom object is not set up. */
async function dayNotesOf(transport: SalesforceTransport, contactId: string): Promise<string[]> {
  let chats: SoqlRow[];
  try {
    [chats = []] = await queryMany(transport, [
      `SELECT Id FROM WhatsApp_Chat__c WHERE Contact__c = ${soqlString(contactId)}`,
    ]);
  } catch (error) {
    if (error instanceof CrmError && (error.code === 'INVALID_TYPE' || error.code === 'NOT_FOUND')) return [];
    throw error;
  }
  const chatIds = chats.map((chat) => text(chat, 'Id')).filter((id): id is string => id !== undefined);
  const queries: string[] = [];
  for (let start = 0; start < chatIds.length; start += CHATS_PER_QUERY) {
    queries.push(
      `SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId IN ${soqlList(chatIds.slice(start, start + CHATS_PER_QUERY))}`,
    );
  }
  return (await queryMany(transport, queries))
    .flat()
    .map((link) => text(link, 'ContentDocumentId'))
    .filter((id): id is string => id !== undefined);
}
