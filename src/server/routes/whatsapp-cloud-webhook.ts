import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';
import { APP_WEBHOOK_PATH } from '../../sources/whatsapp-cloud/service.js';

/** Meta sends up to 3 MB (history chunks); room above that whatever WASYNC_BODY_LIMIT says. */
const WEBHOOK_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * `GET|POST /webhooks/whatsapp-cloud`: the app-level callback URL, every number of a Meta app, each change
 * routed to its account by `phone_number_id`. `GET|POST /webhooks/whatsapp-cloud/:accountId`: one
 * account's URL (a per-number override in Meta's terms), refusing changes for other numbers.
 * Both answer Meta's verify handshake and take its signed deliveries.
 * Outside /api, so no bearer token: the verify token and the body signature are the authentication.
 * The body is kept as the exact bytes received, since the signature covers those bytes.
 */
export function whatsappCloudWebhookRoutes(services: Services): FastifyPluginAsyncZod {
  const { cloud } = services;
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    const params = z.object({ accountId: z.string().min(1).max(128) });

    app.get(
      APP_WEBHOOK_PATH,
      { schema: { hide: true, querystring: z.record(z.string(), z.unknown()) } },
      async (request, reply) => {
        const challenge = await cloud.verifyAppHandshake(request.query);
        if (challenge === undefined)
          throw new WasyncError('forbidden', 'The verify token is no Cloud API account’s.');
        return reply.type('text/plain; charset=utf-8').send(challenge);
      },
    );

    app.post(
      APP_WEBHOOK_PATH,
      { schema: { hide: true }, bodyLimit: WEBHOOK_BODY_LIMIT },
      async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const header = request.headers['x-hub-signature-256'];
        const receipt = await cloud.receiveForApp(body, Array.isArray(header) ? header[0] : header);
        if (receipt.outcome === 'bad_signature')
          throw new WasyncError('unauthorized', 'X-Hub-Signature-256 does not match the body.');
        if (receipt.outcome === 'not_json') throw new WasyncError('bad_request', 'The body is not JSON.');
        if (receipt.accountIds.length > 0) services.wake('webhooks');
        if (receipt.unknownPhoneNumberIds.length > 0) {
          request.log.warn(
            { phoneNumberIds: receipt.unknownPhoneNumberIds, storedFor: receipt.accountIds },
            'Cloud API webhook changes for numbers no account has were not stored',
          );
          // Not a 200: Meta delivers the body again, so those changes arrive once the account exists; the
          // parts already stored are stored again then and processed once.
          throw new WasyncError(
            'unknown_phone_number',
            `No WhatsApp Cloud account has phone_number_id ${receipt.unknownPhoneNumberIds.join(', ')}; those changes were not stored.`,
            { phoneNumberIds: receipt.unknownPhoneNumberIds, storedForAccounts: receipt.accountIds.length },
          );
        }
        return reply.status(200).send({ received: true });
      },
    );

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
        services.wake('webhooks');
        return reply.status(200).send({ received: true });
      },
    );
  };
}
