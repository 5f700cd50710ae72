import { CrmError, type DeletionResult, type WrittenObject } from '../types.js';
import type { QueryAnswer } from './mapping.js';
import type { SaveResult } from './save-results.js';
import { isSalesforceId, soqlString } from './soql.js';
import type { SalesforceTransport } from './transport.js';

/** Delete Records Using sObject Collections takes up to 200 ids a call (REST API Developer Guide). */
const COLLECTION = 200;

/**
 * "Not there any more": the id was deleted before (the guide's example answers ENTITY_IS_DELETED) or
 * names nothing in this org.
 */
const GONE = new Set(['ENTITY_IS_DELETED', 'NOT_FOUND', 'INVALID_ID_FIELD']);

/**
 * Deletes what wasync wrote: chat records, their notes (a ContentNote's id is its ContentDocument's)
 * and uploaded files. An upload answers a ContentVersion id, and versions are not deleted on their own
 * (Object Reference: ContentVersion supports no delete(); ContentDocument does), so files are deleted
 * by their ContentDocument, looked up first. Notes and files go before the chat records they hang on,
 * all through `DELETE composite/sobjects?ids=…&allOrNone=false` (Delete Records Using sObject
 * Collections): one refused id does not hold back the others, and each answer comes in the order of
 * the ids.
 */
export async function deleteWritten(
  transport: SalesforceTransport,
  objects: readonly WrittenObject[],
): Promise<DeletionResult[]> {
  const results: (DeletionResult | undefined)[] = objects.map(() => undefined);
  const targets: { index: number; id: string }[] = [];
  const files: { index: number; id: string }[] = [];
  for (const [index, object] of objects.entries()) {
    if (!isSalesforceId(object.id)) {
      results[index] = { ok: true, alreadyGone: true };
    } else if (object.kind === 'file' && object.id.startsWith('068')) {
      files.push({ index, id: object.id });
    } else {
      targets.push({ index, id: object.id });
    }
  }
  const documents = await documentsOf(
    transport,
    files.map((f) => f.id),
  );
  for (const file of files) {
    const document = documents.get(file.id.slice(0, 15));
    if (document) targets.push({ index: file.index, id: document });
    else results[file.index] = { ok: true, alreadyGone: true };
  }
  // Notes and files first, then chat records: a record's delete removes its file links, not the files.
  const order = (index: number) => (objects[index]?.kind === 'chat_record' ? 1 : 0);
  targets.sort((a, b) => order(a.index) - order(b.index));
  for (let start = 0; start < targets.length; start += COLLECTION) {
    const chunk = targets.slice(start, start + COLLECTION);
    const ids = chunk.map((t) => t.id).join(',');
    const answer = await transport.request<SaveResult[]>(
      'DELETE',
      `composite/sobjects?ids=${encodeURIComponent(ids)}&allOrNone=false`,
    );
    for (const [position, target] of chunk.entries()) results[target.index] = outcome(answer.body[position]);
  }
  return results.map((result) => result ?? { ok: true, alreadyGone: true });
}

function outcome(item: SaveResult | undefined): DeletionResult {
  if (item?.success) return { ok: true, alreadyGone: false };
  const error = item?.errors?.[0];
  const code = error?.statusCode ?? 'UNKNOWN';
  if (GONE.has(code)) return { ok: true, alreadyGone: true };
  return {
    ok: false,
    error: new CrmError({
      kind: code === 'UNABLE_TO_LOCK_ROW' ? 'retryable' : 'rejected',
      code,
      message: `Salesforce refused the deletion: ${error?.message ?? 'no reason given'}`,
    }),
  };
}

/** The ContentDocument of each ContentVersion (by the version's 15-character id); absent: gone. */
async function documentsOf(
  transport: SalesforceTransport,
  versionIds: readonly string[],
): Promise<Map<string, string>> {
  const documents = new Map<string, string>();
  for (let start = 0; start < versionIds.length; start += COLLECTION) {
    const ids = versionIds
      .slice(start, start + COLLECTION)
      .map(soqlString)
      .join(', ');
    const soql = `SELECT Id, ContentDocumentId FROM ContentVersion WHERE Id IN (${ids})`;
    let answer = (await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`)).body;
    for (;;) {
      for (const row of answer.records) {
        const id = typeof row.Id === 'string' ? row.Id : undefined;
        const document = typeof row.ContentDocumentId === 'string' ? row.ContentDocumentId : undefined;
        if (id && document) documents.set(id.slice(0, 15), document);
      }
      if (answer.done || !answer.nextRecordsUrl) break;
      answer = (await transport.request<QueryAnswer>('GET', answer.nextRecordsUrl)).body;
    }
  }
  return documents;
}
