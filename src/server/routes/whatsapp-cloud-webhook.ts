import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';

/** Meta sends up to 3 MB (history chunks); room above that whatever WASYNC_BODY_LIMIT says. */
const WEBHOOK_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * `GET|POST /webhooks/whatsapp-cloud/:accountId`: Meta's verify handshake and its signed deliveries.
 * Outside /api, so no bearer token: the verify token and the body signature are the authentication.
 * The body is kept as the exact bytes received, since the signature covers those bytes.
 */
export function whatsappCloudWebhookRoutes(services: Services): FastifyPluginAsyncZod {
  const { cloud, webhookProcessor } = services;
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    const params = z.object({ accountId: z.string().min(1).max(128) });

    app.get(
      '/webhooks/whatsapp-cloud/:accountId',
      { schema: { hide: true, params, querystring: z.record(z.string(), z.unknown()) } },
      async (request, reply) => {
        const challenge = await cloud.verifyHandshake(request.params.accountId, request.query);
        if (challenge === undefined) throw new WasyncError('forbidden', 'The verify token does not match.');
        return reply.type('text/plain; charset=utf-8').send(challenge);
      },
    );

    app.post(
      '/webhooks/whatsapp-cloud/:accountId',
      { schema: { hide: true, params }, bodyLimit: WEBHOOK_BODY_LIMIT },
      async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const header = request.headers['x-hub-signature-256'];
        const outcome = await cloud.receive(
          request.params.accountId,
          body,
          Array.isArray(header) ? header[0] : header,
        );
        if (outcome === 'unknown_account')
          throw new WasyncError('not_found', `No WhatsApp Cloud account ${request.params.accountId}.`);
        if (outcome === 'bad_signature')
          throw new WasyncError('unauthorized', 'X-Hub-Signature-256 does not match the body.');
        webhookProcessor.wake();
        return reply.status(200).send({ received: true });
      },
    );
  };
}
