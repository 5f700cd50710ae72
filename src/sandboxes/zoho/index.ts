import Fastify, { type FastifyInstance } from 'fastify';
import { RequestCounters } from '../kit/counters.js';
import { FaultGate } from '../kit/faults.js';
import { addLatency } from '../kit/latency.js';
import { listenOn } from '../listen.js';
import { accountsRoutes, ZohoAccounts } from './accounts.js';
import { attachmentFileRoutes } from './attachment-files.js';
import { attachmentRoutes } from './attachments.js';
import { convertRoutes } from './convert.js';
import { coqlRoutes } from './coql.js';
import { dealWriteRoutes } from './deal-writes.js';
import { dealRoutes } from './deals.js';
import { invalidToken, registerZohoErrors, ZohoApiError } from './errors.js';
import { zohoInspection } from './inspection.js';
import { ApiBudget, creditsFor } from './limits.js';
import { noteDeleteRoutes } from './note-deletes.js';
import { noteRoutes } from './notes.js';
import {
  type ResolvedZohoOptions,
  resolveZohoOptions,
  type ZohoFaultKind,
  type ZohoSandboxOptions,
} from './options.js';
import { ZohoOrg } from './org.js';
import { orgApiRoutes } from './org-api.js';
import { recordDeleteRoutes } from './record-deletes.js';
import { recordListRoutes } from './record-list.js';
import { recordPageRoutes } from './record-page.js';
import { recordRoutes } from './records.js';
import { searchRoutes } from './search.js';

export {
  DATA_CENTRES,
  type DataCentre,
  DEMO_CLIENT,
  type Edition,
  type ZohoClient,
  type ZohoFaultKind,
  type ZohoSandboxOptions,
} from './options.js';

/** A running (or ready to run) Zoho CRM sandbox. */
export interface ZohoSandbox {
  readonly app: FastifyInstance;
  readonly options: ResolvedZohoOptions;
  /** Listens on 127.0.0.1 (or `host`) and resolves with the base URL. Port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening, cutting requests held by timeout faults. */
  close(): Promise<void>;
}

// attachments/mds/uploadAttachment.md: "Maximum request body size: 100MB".
const BODY_LIMIT = 100 * 1024 * 1024;

/**
 * A local stand-in for Zoho CRM, in memory: one data centre's accounts server (`/oauth/v2/…`) and
 * the v8 API (`/crm/v8/…`) on the same server, which answers its own URL as `api_domain`; a record
 * page a person can open; and `/__sandbox/` inspection routes. Every rule it enforces cites its
 * source beside the code (crm-oas v8.0 OpenAPI files, Zoho's docs), or says it is unverified.
 */
export async function buildZohoSandbox(options: ZohoSandboxOptions = {}): Promise<ZohoSandbox> {
  const resolved = resolveZohoOptions(options);
  const org = new ZohoOrg(resolved.clock, resolved.searchIndexLagMs);
  const accounts = new ZohoAccounts(resolved);
  const budget = new ApiBudget(resolved);
  const counters = new RequestCounters();
  const faults = new FaultGate<ZohoFaultKind>(resolved.faults, counters);
  const app = Fastify({ logger: resolved.logger, bodyLimit: BODY_LIMIT });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  registerZohoErrors(app);
  faults.install(app);

  await app.register(accountsRoutes(accounts, resolved));
  await app.register(recordPageRoutes(org, resolved));
  await app.register(
    zohoInspection({
      org,
      accounts,
      budget,
      counters,
      faults,
      options: resolved,
      reset: () => {
        org.reset();
        accounts.reset();
        budget.reset();
        counters.reset();
        faults.reset();
      },
    }),
  );
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        counters.recordRequest(`${request.method} ${request.routeOptions.url ?? '(no route)'}`);
      });
      api.addHook('preHandler', async (request, reply) => {
        // Header `Authorization: Zoho-oauthtoken <token>` (Zoho Accounts OAuth: calling an API); no
        // header is AUTHENTICATION_FAILURE, any other scheme or a dead token INVALID_TOKEN (the
        // crm-apis notes §2.8; the 401 INVALID_TOKEN body is in crm-oas getAttachments examples).
        const header = request.headers.authorization;
        if (!header) throw new ZohoApiError(401, 'AUTHENTICATION_FAILURE', 'Authentication failed');
        const token = /^Zoho-oauthtoken (\S+)$/.exec(header)?.[1];
        if (!token || !accounts.tokens.verify(token)) throw invalidToken();
        budget.admit(creditsFor(request.method, request.routeOptions.url ?? '', request.body));
        reply.raw.once('close', () => budget.release());
        await addLatency(resolved.latencyMs);
        const fault = await faults.decide(request, reply);
        if (fault.action === 'dropped') return reply;
        if (fault.action === 'answer') {
          const error =
            fault.kind === '429'
              ? // crm-oas attachments getAttachmentById response-429-ratelimitexceeded example.
                new ZohoApiError(
                  429,
                  'RATE_LIMIT_EXCEEDED',
                  'API rate limit exceeded. Please retry after some time',
                )
              : fault.kind === 'invalid-token'
                ? invalidToken()
                : new ZohoApiError(500, 'INTERNAL_ERROR', 'Internal server error occurred.');
          return reply.status(error.status).send(error.toBody());
        }
      });
      await api.register(orgApiRoutes(resolved));
      await api.register(coqlRoutes(org));
      await api.register(noteRoutes(org));
      await api.register(noteDeleteRoutes(org));
      await api.register(dealRoutes(org));
      await api.register(dealWriteRoutes(org));
      await api.register(convertRoutes(org));
      await api.register(searchRoutes(org));
      await api.register(attachmentRoutes(org, resolved.maxAttachmentBytes));
      await api.register(attachmentFileRoutes(org));
      await api.register(recordListRoutes(org));
      await api.register(recordDeleteRoutes(org));
      await api.register(recordRoutes(org, resolved));
    },
    { prefix: '/crm/v8' },
  );

  return {
    app,
    options: resolved,
    listen: (port = 0, host = '127.0.0.1') => listenOn(app, port, host),
    close: () => app.close(),
  };
}
