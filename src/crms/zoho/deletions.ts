import { CrmError, type DeletionResult, type WrittenObject } from '../types.js';
import { recordError, type ZohoErrorBody } from './errors.js';
import { parseFileRef } from './files.js';
import { isZohoId } from './mapping.js';
import type { ZohoTransport } from './transport.js';

/**
 * Note ids a delete names: the `ids` parameter is at most 1024 characters (crm-oas v8.0 notes.json,
 * Delete Notes), 51 of Zoho's 19-digit ids with their commas; 50 leaves room.
 */
const NOTE_IDS_PER_DELETE = 50;

type DeleteAnswer = { data?: (ZohoErrorBody & { details?: { id?: string } })[] };

/**
 * Deletes what wasync wrote: a day's notes (the record's and the deals', `chat_record` and `note`
 * alike, for in Zoho a day is its notes), 100 a call (`DELETE /Notes?ids=`), and files one a call
 * (`DELETE /{module}/{id}/Attachments/{attachment_id}`). A note or file Zoho no longer has counts as
 * gone.
 */
export async function deleteWritten(
  transport: ZohoTransport,
  objects: readonly WrittenObject[],
): Promise<DeletionResult[]> {
  const results: DeletionResult[] = new Array(objects.length);
  const notes: number[] = [];
  for (const [index, object] of objects.entries()) {
    if (object.kind !== 'file') {
      if (isZohoId(object.id)) notes.push(index);
      else results[index] = refused(object, 'is not a Zoho note id');
      continue;
    }
    const file = parseFileRef(object.id);
    if (!file) {
      results[index] = refused(object, 'is not a Zoho attachment reference');
      continue;
    }
    results[index] = await deleteFile(transport, file);
  }
  for (let start = 0; start < notes.length; start += NOTE_IDS_PER_DELETE) {
    const chunk = notes.slice(start, start + NOTE_IDS_PER_DELETE);
    const ids = chunk.map((index) => (objects[index] as WrittenObject).id);
    const answer = await transport.request<DeleteAnswer>('DELETE', 'Notes', {
      query: { ids: ids.join(',') },
      perItem: true,
    });
    chunk.forEach((index, i) => {
      results[index] = outcomeOf(answer.body?.data?.[i]);
    });
  }
  return results;
}

async function deleteFile(
  transport: ZohoTransport,
  file: { module: string; recordId: string; attachmentId: string },
): Promise<DeletionResult> {
  try {
    const answer = await transport.request<DeleteAnswer>(
      'DELETE',
      `${file.module}/${file.recordId}/Attachments/${file.attachmentId}`,
    );
    return outcomeOf(answer.body?.data?.[0]);
  } catch (error) {
    if (!(error instanceof CrmError)) throw error;
    // The record itself is gone, and its attachments with it.
    if (error.kind === 'rejected' && isGoneCode(error.code)) return { ok: true, alreadyGone: true };
    if (error.kind === 'rejected') return { ok: false, error };
    throw error;
  }
}

function outcomeOf(
  item: DeleteAnswer['data'] extends (infer T)[] | undefined ? T | undefined : never,
): DeletionResult {
  if (item?.status === 'success') return { ok: true, alreadyGone: false };
  if (item && isGoneCode(item.code)) return { ok: true, alreadyGone: true };
  return {
    ok: false,
    error: item
      ? recordError(item)
      : new CrmError({
          kind: 'retryable',
          code: 'NO_ANSWER',
          message: 'Zoho gave no answer for this deletion',
        }),
  };
}

/** An id Zoho does not know (any more): INVALID_DATA on the id, or a record that is not there. */
function isGoneCode(code: string | undefined): boolean {
  return (
    code === 'INVALID_DATA' ||
    code === 'ENTITY_ID_INVALID' ||
    code === 'RECORD_NOT_FOUND' ||
    code === 'NOT_FOUND'
  );
}

function refused(object: WrittenObject, why: string): DeletionResult {
  return {
    ok: false,
    error: new CrmError({ kind: 'rejected', code: 'INVALID_ID', message: `${object.id} ${why}` }),
  };
}
