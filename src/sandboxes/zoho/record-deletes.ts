import type { FastifyInstance } from 'fastify';
import { invalidModule, recordError, ZohoApiError } from './errors.js';
import { isPersonModule, type ModuleName } from './fields.js';
import type { ZohoOrg } from './org.js';
import { batchStatus, MAX_RECORDS_PER_CALL, type WriteResult } from './record-writes.js';

/**
 * `DELETE /crm/v8/{module}?ids=…` (crm-oas v8.0/record deleteRecords and its examples): up to 100
 * records a call, each answering its own result in `data[]`, SUCCESS "record deleted" with
 * `details.id` or INVALID_DATA "record not deleted" with `details.id` (response-207-mixedresults);
 * 200 when every record went, 207 for a mix, 400 with the `data[]` when none did
 * (`RecordDeleteInvalidDataError`). A deleted record goes with its notes and attachments, as
 * `ZohoOrg.remove` says. A converted lead is gone from the API, so it is "not deleted" (unverified:
 * the OAS says nothing of converted leads; refusing is the stricter reading).
 */
export function recordDeleteRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.delete<{ Params: { module: string }; Querystring: { ids?: string } }>(
      '/:module',
      async (request, reply) => {
        const module = deletableModule(request.params.module);
        const results = idsParameter(request.query.ids).map((id) => deleteRecord(org, module, id));
        return reply.status(batchStatus(results, 200)).send({ data: results.map((result) => result.body) });
      },
    );
  };
}

/** The modules the sandbox keeps; any other is INVALID_MODULE (deleteRecords response-400-invalidmodule). */
function deletableModule(name: string): ModuleName {
  if (name === 'Deals' || isPersonModule(name)) return name;
  throw invalidModule();
}

/**
 * `ids`: required (deleteRecords response-400-missingparam, REQUIRED_PARAM_MISSING `param_name: ids`),
 * at most 100 (the operation's "A maximum of 100 records can be deleted per API call"; past it the
 * whole call is refused, LIMIT_EXCEEDED, unverified: the OAS shows no answer for it).
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
  if (ids.length > MAX_RECORDS_PER_CALL)
    throw new ZohoApiError(400, 'LIMIT_EXCEEDED', 'limit exceeded', {
      param_name: 'ids',
      limit: MAX_RECORDS_PER_CALL,
    });
  return ids;
}

function deleteRecord(org: ZohoOrg, module: ModuleName, id: string): WriteResult {
  if (!org.find(module, id) || !org.remove(id))
    return { ok: false, body: recordError('INVALID_DATA', 'record not deleted', { id }) };
  return {
    ok: true,
    body: { code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' },
  };
}
