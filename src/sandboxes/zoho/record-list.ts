import type { FastifyInstance } from 'fastify';
import { ZohoApiError } from './errors.js';
import type { ZohoOrg } from './org.js';
import { parseFieldsParam, pickFields, recordView } from './record-writes.js';
import { personModule } from './records.js';

/** `per_page` at most 200 (crm-oas v8.0 record getRecords). */
const MAX_PER_PAGE = 200;

interface ListQuery {
  fields?: string;
  ids?: string;
  converted?: string;
  page?: string;
  per_page?: string;
}

/**
 * `GET /crm/v8/{Contacts|Leads}` (crm-oas v8.0 record getRecords): `fields` is required
 * (REQUIRED_PARAM_MISSING without it), `ids` a comma-separated list, `converted` `false` (the default),
 * `true` or `both`, which only Leads have; `page`/`per_page` with `info.more_records`; 204 when
 * nothing matches. A converted lead carries `$converted: true` and `$converted_detail` naming the
 * contact it became (`{contact, convert_date}`: unverified, as the OAS leaves `RecordGETDataItem` open
 * to any property and Zoho's answers show these keys).
 */
export function recordListRoutes(org: ZohoOrg) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { module: string }; Querystring: ListQuery }>('/:module', async (request, reply) => {
      const module = personModule(request.params.module);
      const fields = parseFieldsParam(request.query.fields);
      if (!fields)
        throw new ZohoApiError(400, 'REQUIRED_PARAM_MISSING', 'required param missing', {
          param_name: 'fields',
        });
      const converted = request.query.converted ?? 'false';
      if (!['false', 'true', 'both'].includes(converted))
        throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', { param_name: 'converted' });
      const ids = request.query.ids
        ?.split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      const page = Math.max(1, Number(request.query.page ?? 1) || 1);
      const perPage = Math.min(
        MAX_PER_PAGE,
        Math.max(1, Number(request.query.per_page ?? MAX_PER_PAGE) || 1),
      );
      const rows = [...org.records.values()].filter((record) => {
        if (record.module !== module) return false;
        if (ids && !ids.includes(record.id)) return false;
        const isConverted = record.converted !== undefined;
        return converted === 'both' || (converted === 'true') === isConverted;
      });
      const slice = rows.slice((page - 1) * perPage, page * perPage);
      // getRecords: 204 with no body when no record matches.
      if (slice.length === 0) return reply.status(204).send();
      return {
        data: slice.map((record) => ({
          ...pickFields(recordView(record), fields),
          ...(record.converted
            ? {
                $converted: true,
                $converted_detail: {
                  contact: record.converted.contactId,
                  convert_date: new Date(record.converted.at).toISOString(),
                },
              }
            : {}),
        })),
        info: {
          page,
          per_page: perPage,
          count: slice.length,
          more_records: rows.length > page * perPage,
          sort_by: 'id',
          sort_order: 'desc',
          next_page_token: null,
          previous_page_token: null,
          page_token_expiry: null,
        },
      };
    });
  };
}
