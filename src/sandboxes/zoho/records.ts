import type { FastifyInstance, FastifyReply } from 'fastify';
import { invalidModule, recordError, ZohoApiError } from './errors.js';
import { isPersonModule, type PersonModule } from './fields.js';
import type { ResolvedZohoOptions } from './options.js';
import type { ZohoOrg } from './org.js';
import {
  batchStatus,
  duplicateOf,
  MAX_RECORDS_PER_CALL,
  parseFieldsParam,
  pickFields,
  recordView,
  successDetails,
  validateFields,
  type WriteResult,
} from './record-writes.js';

/**
 * Records of Contacts and Leads: get by id, create, update (many or one) and upsert, under
 * `/crm/v8/{module}` (crm-oas v8.0/record.json; record/mds/*.md). Deals are read by id and
 * through their contact's related list, and created (deal-writes.ts), as a salesperson opens one.
 */
export function recordRoutes(org: ZohoOrg, options: ResolvedZohoOptions) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { module: string; id: string }; Querystring: { fields?: string } }>(
      '/:module/:id',
      async (request, reply) => {
        // Deals are readable by id (the mini-CRM card shows them); the sandbox writes them only by seeding.
        const module = request.params.module === 'Deals' ? 'Deals' : personModule(request.params.module);
        const record = org.find(module, request.params.id);
        // record/mds/getRecord.md: 204 with no body when no record matches.
        if (!record) return reply.status(204).send();
        return { data: [pickFields(recordView(record), parseFieldsParam(request.query.fields))] };
      },
    );

    app.post<{ Params: { module: string } }>('/:module', async (request, reply) => {
      const module = personModule(request.params.module);
      const results = batchOf(request.body).map((input, index) => create(module, input, index));
      return answer(reply, results, 201);
    });

    app.put<{ Params: { module: string } }>('/:module', async (request, reply) => {
      const module = personModule(request.params.module);
      const results = batchOf(request.body).map((input, index) => update(module, input, index, input.id));
      return answer(reply, results, 200);
    });

    app.put<{ Params: { module: string; id: string } }>('/:module/:id', async (request, reply) => {
      const module = personModule(request.params.module);
      const results = batchOf(request.body).map((input, index) =>
        update(module, input, index, request.params.id),
      );
      return answer(reply, results, 200);
    });

    /**
     * Upsert (record/mds/examples/upsertRecords.md): a record whose `duplicate_check_fields` value
     * (in order) is a live record's updates it, `action: "update"`, else it is inserted,
     * `action: "insert"`; `duplicate_field` names the field that matched. Without the parameter the
     * module's unique fields are checked (unverified: the doc names system-defined fields, which the
     * sandbox does not model).
     */
    app.post<{ Params: { module: string } }>('/:module/upsert', async (request, reply) => {
      const module = personModule(request.params.module);
      const body = request.body as { duplicate_check_fields?: unknown } | null;
      const checkFields = Array.isArray(body?.duplicate_check_fields)
        ? body.duplicate_check_fields.filter((name): name is string => typeof name === 'string')
        : uniques(module);
      const results = batchOf(request.body).map((input, index): WriteResult => {
        const matchField = checkFields.find((name) => typeof input[name] === 'string' && input[name] !== '');
        const existing = matchField
          ? org.live(module).find((record) => record.fields[matchField] === input[matchField])
          : undefined;
        if (existing) {
          const result = update(module, input, index, existing.id);
          if (result.ok) result.body = { ...result.body, duplicate_field: matchField, action: 'update' };
          return result;
        }
        const result = create(module, input, index);
        if (result.ok) result.body = { ...result.body, duplicate_field: null, action: 'insert' };
        return result;
      });
      return answer(reply, results, 200);
    });

    /** A new record, checked as a create is: its fields, then the module's unique fields. */
    function create(module: PersonModule, input: Record<string, unknown>, index: number): WriteResult {
      const checked = validateFields({
        module,
        input,
        index,
        creating: true,
        leadCompanyMandatory: options.leadCompanyMandatory,
      });
      if (isError(checked)) return refused(checked);
      const duplicate = duplicateOf({ org, module, fields: checked, uniqueFields: uniques(module), index });
      if (duplicate) return refused(duplicate);
      return added(org.insert(module, checked), 'record added');
    }

    function update(
      module: PersonModule,
      input: Record<string, unknown>,
      index: number,
      id: unknown,
    ): WriteResult {
      const record = typeof id === 'string' ? org.find(module, id) : undefined;
      if (!record)
        // notes.json `Note_API_Exception`: INVALID_DATA "the id given seems to be invalid", with the id.
        return refused(
          recordError('INVALID_DATA', 'the id given seems to be invalid', {
            id: String(id ?? ''),
            json_path: `$.data[${index}].id`,
          }),
        );
      const checked = validateFields({
        module,
        input,
        index,
        creating: false,
        leadCompanyMandatory: options.leadCompanyMandatory,
      });
      if (isError(checked)) return refused(checked);
      const duplicate = duplicateOf({
        org,
        module,
        fields: checked,
        uniqueFields: uniques(module),
        index,
        self: record.id,
      });
      if (duplicate) return refused(duplicate);
      org.update(record, checked);
      return added(record, 'record updated');
    }

    const uniques = (module: PersonModule) => options.uniqueFields[module] ?? [];
  };
}

export function personModule(name: string): PersonModule {
  if (!isPersonModule(name)) throw invalidModule();
  return name;
}

/**
 * The `data` array of a write: 1 to 100 objects (createRecords.md: up to 100 records a call). More
 * than 100 is refused whole as LIMIT_EXCEEDED (unverified: the code Zoho answers is not in the OAS;
 * the stricter reading, nothing written).
 */
export function batchOf(body: unknown): Record<string, unknown>[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0)
    throw new ZohoApiError(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
      api_name: 'data',
      json_path: '$.data',
    });
  if (data.length > MAX_RECORDS_PER_CALL)
    throw new ZohoApiError(400, 'LIMIT_EXCEEDED', 'limit exceeded', {
      api_name: 'data',
      json_path: '$.data',
      limit: MAX_RECORDS_PER_CALL,
    });
  return data.map((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
        expected_data_type: 'jsonobject',
        json_path: `$.data[${index}]`,
      });
    return item as Record<string, unknown>;
  });
}

function isError(value: unknown): value is ReturnType<typeof recordError> {
  return typeof value === 'object' && value !== null && (value as { status?: unknown }).status === 'error';
}

const refused = (body: ReturnType<typeof recordError>): WriteResult => ({ ok: false, body });

function added(
  record: { id: string; createdAt: number; modifiedAt: number },
  message: string,
): WriteResult & { ok: true } {
  return { ok: true, body: { code: 'SUCCESS', details: successDetails(record), message, status: 'success' } };
}

export function answer(reply: FastifyReply, results: WriteResult[], allOk: number) {
  return reply.status(batchStatus(results, allOk)).send({ data: results.map((result) => result.body) });
}
