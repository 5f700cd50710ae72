import Fastify, { type FastifyInstance } from 'fastify';
import { ReferenceCrm } from '../../crms/reference/crm.js';
import { RequestCounters } from '../kit/counters.js';
import { FaultGate } from '../kit/faults.js';
import { addLatency } from '../kit/latency.js';
import { listenOn } from '../listen.js';
import { apiRoutes } from './api.js';
import { ReferenceApiError, registerReferenceErrors } from './errors.js';
import { referenceInspection } from './inspection.js';
import { type ReferenceFaultKind, type ReferenceSandboxOptions, resolveReferenceOptions } from './options.js';

export type { ReferenceFaultKind, ReferenceSandboxOptions } from './options.js';

/** A running (or ready to run) reference CRM sandbox. */
export interface ReferenceSandbox {
  /** The Fastify app; tests drive it with `app.inject()` without listening. */
  readonly app: FastifyInstance;
  /** What the sandbox holds; tests may read it directly when they share its process. */
  readonly crm: ReferenceCrm;
  /** Listens on 127.0.0.1 (or `host`) and resolves with the base URL. Port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops listening, cutting requests held by timeout faults. */
  close(): Promise<void>;
}

/**
 * The reference CRM over HTTP: the in-memory ReferenceCrm behind a small JSON API (README.md), with
 * the sandbox kit's faults, latency, request counters and `/__sandbox/` inspection routes. It is the
 * CRM the exactly-once suites run against beside Salesforce, and the model of a new CRM's sandbox.
 */
export async function buildReferenceSandbox(
  options: ReferenceSandboxOptions = {},
): Promise<ReferenceSandbox> {
  const resolved = resolveReferenceOptions(options);
  const crm = new ReferenceCrm(resolved.apiKey);
  const counters = new RequestCounters();
  const faults = new FaultGate<ReferenceFaultKind>(resolved.faults, counters);
  // Base64 grows a file by a third; leave room for the JSON around it.
  const app = Fastify({
    logger: resolved.logger,
    bodyLimit: Math.ceil((resolved.maxAttachmentBytes * 4) / 3) + 64 * 1024,
  });
  registerReferenceErrors(app);
  faults.install(app);

  await app.register(
    referenceInspection(crm, counters, () => {
      crm.reset();
      counters.reset();
      faults.reset();
    }),
  );
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        counters.recordRequest(`${request.method} ${request.routeOptions.url ?? '(no route)'}`);
        await addLatency(resolved.latencyMs);
      });
      api.addHook('preHandler', async (request, reply) => {
        const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (token !== crm.apiKey)
          throw new ReferenceApiError(401, 'UNAUTHORIZED', 'The API key is not valid.');
        const fault = await faults.decide(request, reply);
        if (fault.action === 'dropped') return reply;
        if (fault.action === 'answer') {
          // A 429 says when to come back; a 503 does not.
          if (fault.kind === '429') reply.header('retry-after', String(resolved.retryAfterSeconds));
          const error =
            fault.kind === '429'
              ? new ReferenceApiError(429, 'RATE_LIMITED', 'Too many requests; retry after the time given.')
              : new ReferenceApiError(503, 'UNAVAILABLE', 'The service is unavailable; retry later.');
          return reply.status(error.status).send(error.toBody());
        }
      });
      await api.register(apiRoutes(crm, resolved));
    },
    { prefix: '/api/v1' },
  );

  return {
    app,
    crm,
    listen: (port = 0, host = '127.0.0.1') => listenOn(app, port, host),
    close: () => app.close(),
  };
}
