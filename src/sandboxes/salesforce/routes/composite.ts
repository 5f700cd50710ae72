import type { FastifyInstance, InjectOptions } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../errors.js';
import type { SandboxOrg } from '../org.js';
import { collectionBodyUnder, collectionRefusedARecord } from './composite-collections.js';
import { resolveReferences, UnresolvedReference } from './composite-references.js';

/**
 * REST API Developer Guide, "Send Multiple Requests Using Composite" (note): "You can have up to 25
 * subrequests in a single call. Up to 5 of these subrequests can be sObject Collections or query
 * operations, including Query and QueryAll requests."
 */
const MAX_SUBREQUESTS = 25;
const MAX_QUERY_OR_COLLECTION_SUBREQUESTS = 5;

/** Query, QueryAll (and their `nextRecordsUrl` pages) and sObject Collections: the kinds limited to five. */
const QUERY_OR_COLLECTION = /^\/services\/data\/v\d+\.\d\/(?:query|queryAll|composite\/sobjects)(?:[/?]|$)/;

/**
 * The same page lists what Composite runs: sObject resources, Query, QueryAll and sObject Collections.
 * Search is not among them (Composite Batch carries it, each subrequest counted as its own call).
 */
const UNSUPPORTED_IN_COMPOSITE = /^\/services\/data\/v\d+\.\d\/(?:search|parameterizedSearch)(?:[/?]|$)/;

const compositeBody = z.object({
  allOrNone: z.boolean().optional(),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(
    z.object({
      method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']),
      url: z.string().startsWith('/services/data/'),
      referenceId: z.string().regex(/^[A-Za-z0-9_]+$/),
      body: z.unknown().optional(),
      httpHeaders: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

interface SubrequestResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const HALTED = [
  {
    errorCode: 'PROCESSING_HALTED',
    message: 'The transaction was rolled back since another operation in the same transaction failed.',
  },
];

/**
 * `POST /composite`: up to 25 subrequests (at most 5 of them queries or collections) run in order through the sandbox's own routes (so they
 * behave exactly like direct calls), one API request in all. With allOrNone, a failure rolls the
 * store back and every other subrequest reports PROCESSING_HALTED.
 */
export function compositeRoutes(org: SandboxOrg, root: () => FastifyInstance) {
  return async (app: FastifyInstance) => {
    app.post('/:version/composite', async (request) => {
      const parsed = compositeBody.safeParse(request.body);
      if (!parsed.success)
        throw badRequest(
          'JSON_PARSER_ERROR',
          parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      const { allOrNone = false, compositeRequest } = parsed.data;
      if (compositeRequest.length === 0 || compositeRequest.length > MAX_SUBREQUESTS) {
        throw badRequest(
          'LIMIT_EXCEEDED',
          `A composite request must have between 1 and ${MAX_SUBREQUESTS} subrequests; this one has ${compositeRequest.length}.`,
        );
      }
      refuseOutsideCompositeLimits(compositeRequest.map((sub) => sub.url));
      const snapshot = allOrNone ? org.store.snapshot() : undefined;
      const bodies = new Map<string, unknown>();
      const results: SubrequestResult[] = [];
      let failed: number | undefined;
      for (const sub of compositeRequest) {
        if (failed !== undefined && allOrNone) {
          results.push({ body: HALTED, httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
          continue;
        }
        let url: string;
        let body: unknown;
        try {
          url = String(resolveReferences(sub.url, bodies));
          body = collectionBodyUnder(allOrNone, url, resolveReferences(sub.body, bodies));
        } catch (error) {
          if (!(error instanceof UnresolvedReference)) throw error;
          failed ??= results.length;
          results.push({
            body: [{ errorCode: 'PROCESSING_HALTED', message: error.message }],
            httpHeaders: {},
            httpStatusCode: 400,
            referenceId: sub.referenceId,
          });
          continue;
        }
        const headers: Record<string, string> = {
          ...sub.httpHeaders,
          authorization: request.headers.authorization ?? '',
          'x-sandbox-subrequest': org.subrequestSecret,
        };
        if (body !== undefined) headers['content-type'] = 'application/json';
        const injected: InjectOptions = { method: sub.method, url, headers };
        if (body !== undefined) injected.payload = JSON.stringify(body);
        const response = await root().inject(injected);
        const responseBody = parseBody(response.body);
        const httpHeaders: Record<string, string> = {};
        if (
          response.statusCode === 201 &&
          responseBody &&
          typeof responseBody === 'object' &&
          'id' in responseBody
        ) {
          httpHeaders.Location = `${url.split('?')[0]}/${String(responseBody.id)}`;
        }
        results.push({
          body: responseBody,
          httpHeaders,
          httpStatusCode: response.statusCode,
          referenceId: sub.referenceId,
        });
        if (response.statusCode >= 400 || (allOrNone && collectionRefusedARecord(url, responseBody)))
          failed ??= results.length - 1;
        else bodies.set(sub.referenceId, responseBody);
      }
      if (snapshot && failed !== undefined) {
        org.store.restore(snapshot);
        for (const [index, result] of results.entries()) {
          if (index !== failed && result.httpStatusCode < 400)
            Object.assign(result, { body: HALTED, httpHeaders: {}, httpStatusCode: 400 });
        }
      }
      return { compositeResponse: results };
    });
  };
}

/**
 * The whole call is refused before any subrequest runs, as for more than 25 subrequests. Unverified:
 * the exact errorCode and message an org answers with; the status and error-array shape are the
 * REST API's usual ones.
 */
function refuseOutsideCompositeLimits(urls: readonly string[]): void {
  const limited = urls.filter((url) => QUERY_OR_COLLECTION.test(url)).length;
  if (limited > MAX_QUERY_OR_COLLECTION_SUBREQUESTS) {
    throw badRequest(
      'LIMIT_EXCEEDED',
      `A composite request may contain at most ${MAX_QUERY_OR_COLLECTION_SUBREQUESTS} query or sObject Collections subrequests; this one has ${limited}.`,
    );
  }
  const unsupported = urls.find((url) => UNSUPPORTED_IN_COMPOSITE.test(url));
  if (unsupported !== undefined) {
    throw badRequest('INVALID_API_INPUT', `Composite does not support this resource: ${unsupported}`);
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
