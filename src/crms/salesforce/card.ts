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
import { soqlList, soqlString } from './soql.js';
import type { SalesforceTransport } from './transport.js';

const CARD_FIELDS: Record<RecordType, string> = {
  contact: 'Id, Name, Phone, MobilePhone, Email, Account.Name, Owner.Name',
  lead: 'Id, Name, Phone, MobilePhone, Email, Company, Status, Owner.Name',
};

/** The mini-CRM card: the record, its open opportunities (contacts) and its five latest notes. */
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
  const links = await query(
    `SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = ${soqlString(record.id)}`,
  );
  const documentIds = links
    .map((link) => text(link, 'ContentDocumentId'))
    .filter((id): id is string => id !== undefined);
  const notes =
    documentIds.length === 0
      ? []
      : await query(
          `SELECT Id, Title, TextPreview, CreatedDate FROM ContentNote WHERE Id IN ${soqlList(documentIds)} ORDER BY CreatedDate DESC LIMIT 5`,
        );
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
      excerpt: text(note, 'TextPreview') ?? '',
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
