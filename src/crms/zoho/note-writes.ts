import { CrmError } from '../types.js';
import { recordError, type ZohoErrorBody } from './errors.js';
import type { ZohoTransport } from './transport.js';

/** "Create up to 100 notes per call" (crm-oas v8.0 notes.json, Create Notes; update alike). */
export const NOTES_PER_CALL = 100;

export interface NoteBody {
  Note_Title: string;
  Note_Content: string;
}

/** A note to write: on a parent record, new or (with `id`) in place. */
export interface NoteWrite {
  parent: { module: string; id: string };
  id: string | undefined;
  body: NoteBody;
}

export type NoteResult = { ok: true; id: string } | { ok: false; error: CrmError };

type WriteAnswer = { data?: (ZohoErrorBody & { details?: { id?: string } })[] };

/**
 * Writes notes, as few calls as 100 a call allows: updates by id (PUT /Notes with `id` in each), then
 * creates with `Parent_Id` as v8 takes it, `{module: {api_name}, id}` (notes.json; the v2 form with
 * `$se_module` is gone). Answers each note in order. A note that no longer exists (a person deleted it)
 * is written anew in its place: the day must be in the CRM, and its old id is gone for good.
 */
export async function writeNotes(
  transport: ZohoTransport,
  notes: readonly NoteWrite[],
): Promise<NoteResult[]> {
  const results: NoteResult[] = new Array(notes.length);
  const updates = notes.flatMap((note, index) => (note.id === undefined ? [] : [{ note, index }]));
  const gone: number[] = [];
  for (let start = 0; start < updates.length; start += NOTES_PER_CALL) {
    const chunk = updates.slice(start, start + NOTES_PER_CALL);
    const answer = await transport.request<WriteAnswer>('PUT', 'Notes', {
      json: { data: chunk.map(({ note }) => ({ id: note.id, ...note.body })) },
      perItem: true,
    });
    chunk.forEach(({ note, index }, i) => {
      const item = answer.body?.data?.[i];
      if (item?.status === 'success') results[index] = { ok: true, id: note.id ?? '' };
      else if (isGone(item)) gone.push(index);
      else results[index] = { ok: false, error: itemError(item) };
    });
  }
  const creates = [...notes.flatMap((note, index) => (note.id === undefined ? [index] : [])), ...gone];
  for (let start = 0; start < creates.length; start += NOTES_PER_CALL) {
    const chunk = creates.slice(start, start + NOTES_PER_CALL);
    const answer = await transport.request<WriteAnswer>('POST', 'Notes', {
      json: {
        data: chunk.map((index) => {
          const note = notes[index] as NoteWrite;
          return {
            ...note.body,
            Parent_Id: { module: { api_name: note.parent.module }, id: note.parent.id },
          };
        }),
      },
      perItem: true,
    });
    chunk.forEach((index, i) => {
      const item = answer.body?.data?.[i];
      results[index] =
        item?.status === 'success' && item.details?.id
          ? { ok: true, id: String(item.details.id) }
          : { ok: false, error: itemError(item) };
    });
  }
  return results;
}

/**
 * An update of a note id Zoho does not know: INVALID_DATA "the id given seems to be invalid" with the
 * id in `details` (the record APIs' invalid-id answer, crm-oas updateRecords examples; unverified for
 * notes), rather than a refused field, which names it in `api_name`.
 */
function isGone(item: (ZohoErrorBody & { details?: Record<string, unknown> }) | undefined): boolean {
  if (item?.status !== 'error' || item.code !== 'INVALID_DATA') return false;
  return (
    item.details?.api_name === 'id' || (item.details?.id !== undefined && item.details.api_name === undefined)
  );
}

function itemError(item: ZohoErrorBody | undefined): CrmError {
  if (!item)
    return new CrmError({
      kind: 'retryable',
      code: 'NO_ANSWER',
      message: 'Zoho gave no answer for this note',
    });
  return recordError(item);
}
