import type { FastifyInstance } from 'fastify';
import { pageParameter, ZohoApiError } from './errors.js';
import type { StoredRecord, ZohoOrg } from './org.js';
import { parseFieldsParam, pickFields, recordView } from './record-writes.js';

/** A contact's deals: every deal whose Contact_Name lookup is the contact, in the order they were created. */
export function dealsOf(org: ZohoOrg, contactId: string): StoredRecord[] {
  return org
    .live('Deals')
    .filter((deal) => (deal.fields.Contact_Name as { id?: string } | undefined)?.id === contactId)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * `GET /crm/v8/Contacts/{id}/Deals`, the related list (crm-oas v8.0/related_records.json): `page`
 * and `per_page` (at most 200) with `info.more_records`; the v8 OAS and SDK expose no `sort_by`, so
 * the sandbox ignores one and answers in creation order, not by Modified_Time (the crm-apis notes
 * §2.6), leaving the "latest 5" to the client. No deal is 204 (the notes §2.6). `fields` is required
 * (unverified for this list; getAttachments requires it, and requiring it is the stricter reading).
 */
export function dealRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { id: string }; Querystring: { fields?: string; page?: string; per_page?: string } }>(
      '/Contacts/:id/Deals',
      async (request, reply) => {
        if (!org.find('Contacts', request.params.id))
          throw new ZohoApiError(400, 'INVALID_DATA', 'the id given seems to be invalid', {
            id: request.params.id,
          });
        const fields = parseFieldsParam(request.query.fields);
        if (!fields)
          throw new ZohoApiError(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
            param_name: 'fields',
          });
        const page = pageParameter(request.query.page, 1, 'page');
        const perPage = pageParameter(request.query.per_page, 200, 'per_page');
        if (perPage > 200)
          throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
            api_name: 'per_page',
            maximum_length: 200,
          });
        const deals = dealsOf(org, request.params.id);
        const slice = deals.slice((page - 1) * perPage, page * perPage);
        if (slice.length === 0) return reply.status(204).send();
        return {
          data: slice.map((deal) => pickFields(recordView(deal), fields)),
          info: { per_page: perPage, count: slice.length, page, more_records: deals.length > page * perPage },
        };
      },
    );
  };
}
