/**
 * Deleting what a live run wrote into a real org. The run knows the contacts and leads it created;
 * everything wasync wrote for them hangs off those (chat records by their Contact__c or Lead__c,
 * notes and files by their ContentDocumentLinks), so it is found from them and deleted by id.
 */

import { CHAT_OBJECT } from '../../src/crms/salesforce/setup/index.js';
import { soqlList } from '../../src/crms/salesforce/soql.js';
import type { SalesforceTransport } from '../../src/crms/salesforce/transport.js';
import { CrmError, type RecordType } from '../../src/crms/types.js';
import { queryAll } from './live-query.js';

/** sObject Collections delete up to 200 ids per call, of any types (REST API Developer Guide,
 * "Delete Records Using sObject Collections"). */
const IDS_PER_CALL = 200;

type DeleteResult = { id?: string; success: boolean; errors?: { statusCode?: string; message?: string }[] };

/**
 * Deletes the records and all that wasync linked to them: first the notes and files (ContentDocument;
 * deleting a document deletes its versions and links), then the chat records, then the contacts and
 * leads, so that whatever a failure leaves behind can still be found from a record the run tagged.
 * Every delete is tried even when one fails. Answers the ids it could not delete, with the reason.
 */
export async function deleteRunRecords(
  transport: SalesforceTransport,
  records: readonly { type: RecordType; id: string }[],
): Promise<string[]> {
  if (records.length === 0) return [];
  const recordIds = records.map((record) => record.id);
  const chatIds = await chatRecordsOf(transport, recordIds);
  const documentIds = await documentsLinkedTo(transport, [...chatIds, ...recordIds]);
  const problems: string[] = [];
  for (const ids of [documentIds, chatIds, recordIds]) problems.push(...(await deleteByIds(transport, ids)));
  return problems;
}

async function chatRecordsOf(
  transport: SalesforceTransport,
  recordIds: readonly string[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const chunk of chunks(recordIds)) {
    const list = soqlList(chunk);
    const soql = `SELECT Id FROM ${CHAT_OBJECT} WHERE Contact__c IN ${list} OR Lead__c IN ${list}`;
    try {
      ids.push(...(await queryAll(transport, soql)).map((row) => String(row.Id)));
    } catch (error) {
      // A run whose setup never deployed the object wrote no chat records.
      if (error instanceof CrmError && error.code === 'INVALID_TYPE') return [];
      throw error;
    }
  }
  return ids;
}

/** ContentDocumentLink must be filtered by LinkedEntityId or ContentDocumentId (Object Reference). */
async function documentsLinkedTo(
  transport: SalesforceTransport,
  entityIds: readonly string[],
): Promise<string[]> {
  const ids = new Set<string>();
  for (const chunk of chunks(entityIds)) {
    const soql = `SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId IN ${soqlList(chunk)}`;
    for (const row of await queryAll(transport, soql)) ids.add(String(row.ContentDocumentId));
  }
  return [...ids];
}

async function deleteByIds(transport: SalesforceTransport, ids: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const chunk of chunks(ids)) {
    const answer = await transport.request<DeleteResult[]>(
      'DELETE',
      `composite/sobjects?ids=${chunk.join(',')}&allOrNone=false`,
    );
    answer.body.forEach((result, i) => {
      const error = result.errors?.[0];
      // Gone already: deleting a contact, say, also deleted what only it held.
      if (result.success || error?.statusCode === 'ENTITY_IS_DELETED') return;
      problems.push(`${chunk[i]}: ${error?.statusCode ?? 'UNKNOWN'} ${error?.message ?? ''}`.trim());
    });
  }
  return problems;
}

function chunks<T>(values: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += IDS_PER_CALL) {
    result.push(values.slice(start, start + IDS_PER_CALL));
  }
  return result;
}
