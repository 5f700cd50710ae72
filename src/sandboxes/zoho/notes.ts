import type { FastifyInstance, FastifyReply } from 'fastify';
import { invalidModule, recordError, ZohoApiError } from './errors.js';
import type { ModuleName } from './fields.js';
import { SANDBOX_USER, type StoredNote, type ZohoOrg, zohoTime } from './org.js';
import {
  batchStatus,
  parseFieldsParam,
  pickFields,
  recordName,
  successDetails,
  type WriteResult,
} from './record-writes.js';
import { batchOf, personModule } from './records.js';

const NOTE_PARENTS: ModuleName[] = ['Contacts', 'Leads', 'Deals'];

/**
 * Notes (crm-oas v8.0/notes.json): create up to 100 a call, each with `Parent_Id` an object
 * `{module: {api_name}, id}` (notes.json `Parent_Id`: module is a Minified_Module, id a string). v8
 * documents no `$se_module` on notes, so the v2 form `Parent_Id: "<id>"` with `$se_module` is refused
 * as INVALID_DATA with `expected_data_type: jsonobject`. Create answers 200 when every note was added
 * and 202 when none was (notes.json Create Notes responses), 207 for a mix (unverified, as records
 * do). Update (many or one) answers 200 with a result per note (notes.json Update Notes).
 */
export function noteRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.post('/Notes', async (request, reply) => {
      const results = batchOf(request.body).map((input, index) => createNote(org, input, index));
      const status = batchStatus(results, 200);
      return reply.status(status === 400 ? 202 : status).send({ data: results.map((result) => result.body) });
    });

    app.put('/Notes', async (request, reply) =>
      sendAll(
        reply,
        batchOf(request.body).map((input, index) => updateNote(org, input, index, input.id)),
      ),
    );

    app.put<{ Params: { id: string } }>('/Notes/:id', async (request, reply) =>
      sendAll(
        reply,
        batchOf(request.body).map((input, index) => updateNote(org, input, index, request.params.id)),
      ),
    );

    /**
     * A record's notes, the related list `/{module}/{id}/Notes`: `fields` is required (notes.json
     * marks the `fields` parameter of Get Notes required), newest first (unverified), paginated with
     * `page` and `per_page` up to 200; no note is 204 (unverified, as the related records API answers).
     */
    app.get<{
      Params: { module: string; id: string };
      Querystring: { fields?: string; page?: string; per_page?: string };
    }>('/:module/:id/Notes', async (request, reply) => {
      const module = parentModule(request.params.module);
      if (!org.find(module, request.params.id))
        throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
          id: request.params.id,
        });
      const fields = parseFieldsParam(request.query.fields);
      if (!fields) throw requiredFields();
      const notes = [...org.notes.values()]
        .filter((note) => note.parent.module === module && note.parent.id === request.params.id)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      const page = Number(request.query.page ?? 1);
      const perPage = Math.min(Number(request.query.per_page ?? 200), 200);
      const slice = notes.slice((page - 1) * perPage, page * perPage);
      if (slice.length === 0) return reply.status(204).send();
      return {
        data: slice.map((note) => pickFields(noteView(org, note), fields)),
        info: { per_page: perPage, count: slice.length, page, more_records: notes.length > page * perPage },
      };
    });
  };
}

/** REQUIRED_PARAM_MISSING for `fields` (attachments getAttachments response-400-requiredparammissing example). */
export const requiredFields = () =>
  new ZohoApiError(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
    param_name: 'fields',
  });

export function parentModule(name: string): ModuleName {
  if (name === 'Deals') return name;
  if (NOTE_PARENTS.includes(name as ModuleName)) return personModule(name);
  throw invalidModule();
}

function createNote(org: ZohoOrg, input: Record<string, unknown>, index: number): WriteResult {
  const path = (name: string) => `$.data[${index}].${name}`;
  const parent = input.Parent_Id;
  if (parent === undefined || parent === null)
    return refused(
      recordError('MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: 'Parent_Id',
        json_path: path('Parent_Id'),
      }),
    );
  if (typeof parent !== 'object' || Array.isArray(parent))
    return refused(
      recordError('INVALID_DATA', 'invalid data', {
        api_name: 'Parent_Id',
        expected_data_type: 'jsonobject',
        json_path: path('Parent_Id'),
      }),
    );
  const { module, id } = parent as { module?: { api_name?: unknown }; id?: unknown };
  const moduleName = module?.api_name;
  if (typeof moduleName !== 'string' || !NOTE_PARENTS.includes(moduleName as ModuleName))
    return refused(
      recordError('INVALID_DATA', 'invalid data', {
        api_name: 'module',
        json_path: `${path('Parent_Id')}.module`,
      }),
    );
  const record = typeof id === 'string' ? org.find(moduleName as ModuleName, id) : undefined;
  if (!record)
    return refused(
      recordError('INVALID_DATA', 'the id given seems to be invalid', {
        api_name: 'Parent_Id',
        id: String(id ?? ''),
        json_path: `${path('Parent_Id')}.id`,
      }),
    );
  const content = input.Note_Content;
  // Note_Content is the note (unverified which of title and content Zoho requires; content, the stricter).
  if (typeof content !== 'string' || content === '')
    return refused(
      recordError('MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: 'Note_Content',
        json_path: path('Note_Content'),
      }),
    );
  const title = input.Note_Title;
  if (title !== undefined && title !== null && typeof title !== 'string')
    return refused(
      recordError('INVALID_DATA', 'invalid data', {
        api_name: 'Note_Title',
        expected_data_type: 'text',
        json_path: path('Note_Title'),
      }),
    );
  const now = org.now();
  const note: StoredNote = {
    id: org.nextId(),
    parent: { module: record.module, id: record.id },
    title: title ?? '',
    content,
    createdAt: now,
    modifiedAt: now,
  };
  org.notes.set(note.id, note);
  return {
    ok: true,
    body: { code: 'SUCCESS', details: successDetails(note), message: 'record added', status: 'success' },
  };
}

function updateNote(org: ZohoOrg, input: Record<string, unknown>, index: number, id: unknown): WriteResult {
  const note = typeof id === 'string' ? org.notes.get(id) : undefined;
  if (!note)
    return refused(recordError('INVALID_DATA', 'the id given seems to be invalid', { id: String(id ?? '') }));
  for (const name of ['Note_Title', 'Note_Content'] as const) {
    const value = input[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || (name === 'Note_Content' && value === ''))
      return refused(
        recordError('INVALID_DATA', 'invalid data', {
          api_name: name,
          expected_data_type: 'text',
          json_path: `$.data[${index}].${name}`,
        }),
      );
  }
  if (typeof input.Note_Title === 'string') note.title = input.Note_Title;
  if (typeof input.Note_Content === 'string') note.content = input.Note_Content;
  note.modifiedAt = org.now();
  return {
    ok: true,
    body: { code: 'SUCCESS', details: successDetails(note), message: 'record updated', status: 'success' },
  };
}

/** A note as the API shows it (notes.json `Note`). */
export function noteView(org: ZohoOrg, note: StoredNote): Record<string, unknown> {
  const user = { name: SANDBOX_USER.name, id: SANDBOX_USER.id, email: SANDBOX_USER.email };
  const parent = org.records.get(note.parent.id);
  return {
    id: note.id,
    Note_Title: note.title,
    Note_Content: note.content,
    Parent_Id: {
      module: { api_name: note.parent.module },
      id: note.parent.id,
      name: recordName(parent),
    },
    Owner: user,
    Created_By: user,
    Modified_By: user,
    Created_Time: zohoTime(note.createdAt),
    Modified_Time: zohoTime(note.modifiedAt),
    $attachments: null,
  };
}

const refused = (body: ReturnType<typeof recordError>): WriteResult => ({ ok: false, body });

function sendAll(reply: FastifyReply, results: WriteResult[]) {
  return reply.status(200).send({ data: results.map((result) => result.body) });
}
