import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RequestCounters } from '../kit/counters.js';
import type { FaultGate } from '../kit/faults.js';
import { inspectionRoutes } from '../kit/inspection.js';
import { PORTAL_ADMIN_ID, type PortalCredentials } from './credentials.js';
import type { LeakyBucket, OperatingTime } from './limits.js';
import { Bitrix24Error } from './method.js';
import { baseUrl, tokenBody } from './oauth.js';
import { BITRIX24_FAULT_KINDS, type Bitrix24FaultKind, type ResolvedBitrix24Options } from './options.js';
import type { Portal } from './portal.js';
import { seedingRoutes } from './seeding.js';

const Webhook = z.object({
  userId: z.number().int().min(1).default(1),
  secret: z
    .string()
    .regex(/^[A-Za-z0-9]+$/)
    .optional(),
  scopes: z.array(z.string()).default(['crm']),
  /** ISO time, or milliseconds since the epoch. */
  expiresAt: z.union([z.iso.datetime({ offset: true }), z.number()]).optional(),
});

const Tokens = z.object({ clientId: z.string().optional(), userId: z.number().int().min(1).optional() });

const Script = z.object({
  kind: z.enum(BITRIX24_FAULT_KINDS as [Bitrix24FaultKind, ...Bitrix24FaultKind[]]),
  after: z.number().int().min(0).default(0),
  times: z.number().int().min(1).default(1),
});

export interface InspectionParts {
  portal: Portal;
  credentials: PortalCredentials;
  bucket: LeakyBucket;
  operating: OperatingTime;
  counters: RequestCounters;
  batchCommands: RequestCounters;
  faults: FaultGate<Bitrix24FaultKind>;
  options: ResolvedBitrix24Options;
  reset: () => void;
}

const invalid = (error: z.ZodError) => new Bitrix24Error(400, 'INVALID_REQUEST', z.prettifyError(error));

/**
 * The Bitrix24 sandbox's `/__sandbox/` routes: register an inbound webhook (its URL back), list them,
 * mint an application's tokens without the consent page, expire every access token, script faults,
 * counters (requests by method, batch commands by method, faults, the bucket's level, operating
 * time by method), reset; and the portal's seeding and reading routes (seeding.ts). Test and demo controls; an adapter must never call them.
 */
export function bitrix24Inspection(parts: InspectionParts) {
  const { credentials, bucket, operating, counters, batchCommands, faults, options } = parts;
  return inspectionRoutes({
    description: 'Bitrix24 sandbox inspection routes: test/demo only, not part of its API.',
    details: () => ({
      memberId: options.memberId,
      applications: options.applications.map((app) => app.clientId),
      methods: Object.keys(options.methods).sort(),
    }),
    counters: () => ({
      ...counters.toJSON(),
      batchCommands: Object.fromEntries(batchCommands.byRoute),
      bucket: bucket.toJSON(),
      operating: operating.toJSON(),
    }),
    reset: parts.reset,
    routes: (app: FastifyInstance) => {
      seedingRoutes(parts.portal)(app);
      app.post('/__sandbox/webhooks', async (request, reply) => {
        const parsed = Webhook.safeParse(request.body ?? {});
        if (!parsed.success) throw invalid(parsed.error);
        const { expiresAt, ...rest } = parsed.data;
        const webhook = credentials.addWebhook({
          ...rest,
          expiresAt: typeof expiresAt === 'string' ? Date.parse(expiresAt) : expiresAt,
        });
        return reply
          .status(201)
          .send({ ...webhook, url: `${baseUrl(request)}/rest/${webhook.userId}/${webhook.secret}/` });
      });
      app.get('/__sandbox/webhooks', async (request) => ({
        webhooks: credentials.webhooks.map((webhook) => ({
          ...webhook,
          url: `${baseUrl(request)}/rest/${webhook.userId}/${webhook.secret}/`,
        })),
      }));
      app.post('/__sandbox/tokens', async (request, reply) => {
        const parsed = Tokens.safeParse(request.body ?? {});
        if (!parsed.success) throw invalid(parsed.error);
        const application = credentials.application(
          parsed.data.clientId ?? options.applications[0]?.clientId,
        );
        if (!application) throw new Bitrix24Error(400, 'invalid_client', 'no such application');
        const userId = parsed.data.userId ?? PORTAL_ADMIN_ID;
        const refreshToken = credentials.tokens.mintRefreshToken(application.clientId, String(userId));
        return reply
          .status(201)
          .send(tokenBody(credentials, options, application, userId, refreshToken, baseUrl(request)));
      });
      app.post('/__sandbox/tokens/expire', async () => ({ expired: credentials.expireAccessTokens() }));
      app.post('/__sandbox/faults', async (request, reply) => {
        const parsed = Script.safeParse(request.body ?? {});
        if (!parsed.success) throw invalid(parsed.error);
        faults.script(parsed.data);
        return reply.status(201).send({ scripted: parsed.data });
      });
      app.delete('/__sandbox/faults', async () => {
        faults.clearScripted();
        return { cleared: true };
      });
    },
  });
}
