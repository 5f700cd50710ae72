import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Services } from '../services.js';
import { LOG_REDACTIONS } from '../services.js';
import { registerAuth } from './auth.js';
import { notFoundEnvelope, registerErrorEnvelope } from './error-envelope.js';
import { serializeRequest } from './log-redaction.js';
import { registerMetrics } from './metrics.js';
import { type ReadinessCheck, readinessChecks } from './readiness.js';
import { accountRoutes } from './routes/accounts.js';
import { alertRoutes } from './routes/alerts.js';
import { auditRoutes, registerTokenUseAudit } from './routes/audit.js';
import { chatRoutes } from './routes/chats.js';
import { connectionRoutes } from './routes/connections.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/imports.js';
import { ingestRoutes } from './routes/ingest.js';
import { oauthRoutes } from './routes/oauth.js';
import { pairingRoutes } from './routes/pairing.js';
import { peopleRoutes } from './routes/people.js';
import { privacyRoutes } from './routes/privacy.js';
import { settingsRoutes } from './routes/settings.js';
import { syncRoutes } from './routes/sync.js';
import { tokenRoutes } from './routes/tokens.js';
import { whatsappCloudCoexistenceRoutes } from './routes/whatsapp-cloud-coexistence.js';
import { whatsappCloudWebhookRoutes } from './routes/whatsapp-cloud-webhook.js';
import { registerStorableInput } from './storable-input.js';
import { registerWebApp } from './web.js';

export interface AppOptions {
  /** Set false in tests to keep output quiet; the default logs JSON at the configured level. */
  logger?: boolean;
  /** Where log lines go (stdout by default); tests pass a stream to read what was logged. */
  logStream?: DestinationStream;
  /**
   * The level of the one line logged per request: info by default; debug keeps a terminal free of a
   * line per request (`wasync serve` on a TTY), while errors and background work still log.
   */
  requestLogLevel?: 'info' | 'debug';
  /**
   * Checks `/readyz` runs beside the database's and (scale mode) Redis's: a role's own, such as the
   * work queue's. Each is cut off after `readinessTimeoutMs` (2 s by default).
   */
  readiness?: readonly ReadinessCheck[];
  readinessTimeoutMs?: number;
}

/**
 * Fastify's lines per request (incoming, completed, a 4xx answered) at debug instead of info; a request
 * that errored and a 5xx keep their error level.
 */
class DebugRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) super.requestCompleted(error, request, reply);
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) super.defaultErrorLog(error, request, reply);
    else reply.log.debug({ res: reply, err: error }, error?.message);
  }
}

/**
 * Builds the HTTP app without listening, so tests drive it through `app.inject()` and `wasync serve`
 * adds only `listen()`.
 */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: { paths: LOG_REDACTIONS, censor: '[redacted]' },
            // Request URLs carry secrets (invite tokens, hub.verify_token): the log gets them redacted.
            serializers: { req: serializeRequest },
            ...(options.logStream ? { stream: options.logStream } : {}),
          },
    ...(options.requestLogLevel === 'debug' ? { logController: new DebugRequestLog() } : {}),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
  });
  // The API speaks JSON (docs/errors.md): a text/plain body is answered 415, not read as a string
  // that then fails validation. Routes that take other bodies (imports, webhooks) add their own parsers.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorEnvelope(app);
  registerStorableInput(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wasync API',
        version: '1',
        description:
          'WhatsApp conversations, backed up into the CRM. Every route needs `Authorization: Bearer <token>` or the session cookie of a signed-in person (then changes need its `X-CSRF-Token`).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/v1/docs' });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const { metrics } = services;
  registerMetrics(app, metrics, config.metricsToken);
  await app.register(cookie);
  registerAuth(app, services.store);
  registerTokenUseAudit(app, services.audit);
  await app.register(
    healthRoutes([...readinessChecks(services), ...(options.readiness ?? [])], {
      ...(options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs }),
    }),
  );
  await app.register(accountRoutes(services), { prefix: '/api/v1' });
  await app.register(pairingRoutes(services), { prefix: '/api/v1' });
  await app.register(ingestRoutes(services, metrics), { prefix: '/api/v1' });
  await app.register(importRoutes(services), { prefix: '/api/v1' });
  await app.register(chatRoutes(services), { prefix: '/api/v1' });
  await app.register(tokenRoutes(services), { prefix: '/api/v1' });
  await app.register(peopleRoutes(services), { prefix: '/api/v1' });
  await app.register(connectionRoutes(services), { prefix: '/api/v1' });
  await app.register(oauthRoutes(services), { prefix: '/api/v1' });
  await app.register(syncRoutes(services), { prefix: '/api/v1' });
  await app.register(eventRoutes(services), { prefix: '/api/v1' });
  await app.register(settingsRoutes(services), { prefix: '/api/v1' });
  await app.register(alertRoutes(services), { prefix: '/api/v1' });
  await app.register(auditRoutes(services), { prefix: '/api/v1' });
  await app.register(privacyRoutes(services), { prefix: '/api/v1' });
  await app.register(whatsappCloudCoexistenceRoutes(services), { prefix: '/api/v1' });
  await app.register(whatsappCloudWebhookRoutes(services));
  await registerWebApp(app, notFoundEnvelope);
  return app;
}
