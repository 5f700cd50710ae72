import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';
import type { SandboxOrg } from '../org.js';
import { executeSosl } from '../sosl/execute.js';
import { schemaOf } from './api-guard.js';

/**
 * `GET /search?q=` (REST API Developer Guide, "Search"): a SOSL search, answered as
 * `{"searchRecords": [...]}`, each record with its `attributes`. Only `IN PHONE FIELDS` is modelled;
 * see SearchIndex for how phone fields are indexed and what of it is unverified.
 */
export function searchRoutes(org: SandboxOrg) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { version: string }; Querystring: { q?: string } }>(
      '/:version/search',
      async (request) => {
        const sosl = request.query.q;
        // Unverified wording; the code is the one an org gives malformed SOSL.
        if (!sosl) throw badRequest('MALFORMED_SEARCH', 'A search string has to be specified');
        const index = org.searchIndex.searchable();
        return {
          searchRecords: executeSosl(org.store, index, sosl, {
            version: request.params.version,
            schema: schemaOf(org, request),
          }),
        };
      },
    );
  };
}
