import type { FastifyInstance } from 'fastify';
import { recordError, relatedIdInvalid, ZohoApiError } from './errors.js';
import { parentModule } from './notes.js';
import type { ZohoOrg } from './org.js';
import { batchStatus, MAX_RECORDS_PER_CALL, type WriteResult } from './record-writes.js';

// crm-oas v8.0/notes deleteNotesModule: `ids` is a query string of at most 1024 characters.
const MAX_IDS_LENGTH = 1024;

/**
 * Deleting notes (crm-oas v8.0/notes, deleteNotesModule and deleteNoteById; Zoho's "Delete Notes"
 * page, which also documents `/{module_api_name}/{record_id}/Notes/{note_id}` and "a maximum of 100
 * notes per API call"). Each note answers its own result in `data[]`: SUCCESS "record deleted" with
 * `details.id`, or INVALID_DATA "record not deleted" with `details.id` for a note that is not there
 * (deleteNotesModule response-207-partialsuccess). The many form answers 200 when every note went,
 * 207 for a mix and 400 with the `data[]` when none did (the OAS `InvalidDataError`).
 */
export function noteDeleteRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.delete<{ Querystring: { ids?: string } }>('/Notes', async (request, reply) => {
      const ids = idsParameter(request.query.ids);
      const results = ids.map((id) => deleteNote(org, id));
      return reply.status(batchStatus(results, 200)).send({ data: results.map((result) => result.body) });
    });

    /** One note: the OAS `InvalidDataErrorSingle` (a one-entry `data[]`, 400) when it is not there. */
    app.delete<{ Params: { id: string } }>('/Notes/:id', async (request, reply) => {
      const result = deleteNote(org, pathId(request.params.id, 1));
      return reply.status(result.ok ? 200 : 400).send({ data: [result.body] });
    });

    /**
     * A record's note (the "Delete Notes" page's record form): the note must be that record's, else
     * it answers as a missing note (unverified: the page shows no error for a note of another record).
     * An unknown record is 400 INVALID_DATA "the related id given seems to be invalid" with its
     * `resource_path_index` (unverified for notes: that is the attachments OAS's answer to a bad record id).
     */
    app.delete<{ Params: { module: string; id: string; noteId: string } }>(
      '/:module/:id/Notes/:noteId',
      async (request, reply) => {
        const module = parentModule(request.params.module);
        if (!org.find(module, pathId(request.params.id, 1))) throw relatedIdInvalid(1);
        const noteId = pathId(request.params.noteId, 3);
        const note = org.notes.get(noteId);
        const result =
          note && note.parent.module === module && note.parent.id === request.params.id
            ? deleteNote(org, noteId)
            : notDeleted(noteId);
        return reply.status(result.ok ? 200 : 400).send({ data: [result.body] });
      },
    );
  };
}

/**
 * `ids`: required (deleteNotesModule 400 `RequiredParamMissingError`), at most 1024 characters (the
 * OAS's maxLen; about 51 ids of 19 digits, so a client must split a list of 100 long ids), at most
 * 100 ids (the "Delete Notes" page). Past either limit the whole call is refused (unverified code:
 * INVALID_DATA for the length, LIMIT_EXCEEDED for the count, as the sandbox's writes answer).
 */
function idsParameter(value: string | undefined): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length === 0)
    throw new ZohoApiError(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
      param_name: 'ids',
    });
  if ((value ?? '').length > MAX_IDS_LENGTH)
    throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
      param_name: 'ids',
      maximum_length: MAX_IDS_LENGTH,
    });
  if (ids.length > MAX_RECORDS_PER_CALL)
    throw new ZohoApiError(400, 'LIMIT_EXCEEDED', 'limit exceeded', {
      param_name: 'ids',
      limit: MAX_RECORDS_PER_CALL,
    });
  return ids;
}

/**
 * An id in the path must be digits (the OAS types ids `^[0-9]+$`); anything else is the flat
 * INVALID_DATA with `resource_path_index` (deleteNoteById `InvalidIdError`; the message is unverified).
 */
function pathId(id: string, index: number): string {
  if (!/^[0-9]+$/.test(id))
    throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
      resource_path_index: index,
    });
  return id;
}

function deleteNote(org: ZohoOrg, id: string): WriteResult {
  if (!org.notes.delete(id)) return notDeleted(id);
  return {
    ok: true,
    body: { code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' },
  };
}

const notDeleted = (id: string): WriteResult => ({
  ok: false,
  body: recordError('INVALID_DATA', 'record not deleted', { id }),
});
