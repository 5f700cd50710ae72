import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AuditAction } from '../../audit/audit-log.js';
import { WasyncError } from '../../core/errors.js';
import type { Account } from '../../core/model.js';
import type { Services } from '../../services.js';
import { LINKED_DEVICE_RISK } from '../../sources/whatsapp-web/risk.js';
import type { PairingUpdate } from '../../sources/whatsapp-web/session.js';
import type { PairingFeed } from '../../sources/whatsapp-web/sessions.js';
import { ChatAccess } from '../access.js';
import { type Grant, grantOf } from '../auth.js';
import { AccountSchema, accountDto } from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const HEARTBEAT_MS = 15_000;

const PairingSchema = z
  .strictObject({
    method: z
      .enum(['qr', 'code'])
      .default('qr')
      .describe(
        'qr: QR codes to scan under Linked devices; code: an 8-character code to type there instead.',
      ),
    acceptRisk: z
      .literal(true, { error: `acceptRisk must be true: ${LINKED_DEVICE_RISK}` })
      .describe(`The account owner's opt-in. ${LINKED_DEVICE_RISK}`),
  })
  .meta({ id: 'Pairing' });

/** The events the pairing streams, as the API document shows them. */
const PairingEventSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('qr'),
      qr: z.string().describe("The QR code's text; a new one about every 20 s."),
      svg: z.string().describe('The QR code drawn as SVG.'),
    }),
    z.object({
      type: z.literal('code'),
      code: z.string().describe('The 8-character code to type on the phone.'),
    }),
    z.object({ type: z.literal('connected'), me: z.string().describe('The number now linked.') }),
    z.object({
      type: z.literal('failed'),
      code: z.enum(['pairing_timeout', 'logged_out', 'pairing_failed', 'stopped']),
      reason: z.string(),
    }),
  ])
  .meta({
    id: 'PairingEvent',
    description: 'One server-sent event: `type` is its event name, the rest its data (JSON).',
  });

type PairingEvent = z.infer<typeof PairingEventSchema>;

const PairingStream = {
  description: 'Server-sent events until `connected` or `failed`.',
  content: { 'text/event-stream': { schema: PairingEventSchema } },
};

/** Who accepted the risk, as the account shows it. */
function optedInBy(grant: Grant): string {
  return grant.via === 'session' ? grant.email : `API token "${grant.name}"`;
}

/**
 * Pairing a linked-device account: POST starts it and streams its progress as server-sent events
 * (`qr` with the code's text and an SVG, or `code`; then `connected` or `failed`), GET joins a pairing
 * under way (a reloaded page), DELETE unlinks the device.
 */
export function pairingRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, linkedDevices, audit } = services;
  const open = new Set<ServerResponse>();
  const access = new ChatAccess(services);
  /**
   * A rep's phone is paired and unlinked by its owner (or an admin, who may unlink a device someone
   * left behind); following a pairing under way is for whoever reads the number.
   */
  const accountOf = async (request: FastifyRequest, accountId: string, need: 'read' | 'manage') => {
    const account = await store.accounts.get(grantOf(request).workspaceId, accountId);
    const manages = account !== undefined && access.mayManage(request, account);
    if (!account || !(manages || (await access.canRead(request, account.id))))
      throw new WasyncError('not_found', `No account ${accountId}.`);
    if (need === 'manage' && !manages)
      throw new WasyncError(
        'forbidden',
        `Only the owner of ${account.phone} or an admin may pair or unlink it.`,
      );
    return account;
  };
  /**
   * Hears a pairing from now on and keeps what it hears until a stream takes it over: a pairing that
   * moves on (or ends) while the route still records its start is not missed by the stream.
   */
  const listen = (session: PairingFeed) => {
    const heard: PairingUpdate[] = [];
    let deliver = (update: PairingUpdate) => {
      heard.push(update);
    };
    const unsubscribe = session.onPairing((update) => deliver(update));
    return {
      unsubscribe,
      attach(send: (update: PairingUpdate) => void) {
        for (const update of heard.splice(0)) send(update);
        deliver = send;
      },
    };
  };
  const stream = (feed: ReturnType<typeof listen>, response: ServerResponse) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Sent at once: the first code may take a while (another process makes it, in scale mode).
    response.flushHeaders();
    open.add(response);
    // QR codes are drawn one after another, so a slow drawing never sends an older code last.
    let writing = Promise.resolve();
    const send = (update: PairingUpdate) => {
      writing = writing.then(async () => {
        if (response.writableEnded) return;
        const event: PairingEvent =
          update.type === 'qr'
            ? { ...update, svg: await QRCode.toString(update.qr, { type: 'svg', margin: 2 }) }
            : update;
        const { type, ...data } = event;
        response.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
        if (type === 'connected' || type === 'failed') response.end();
      });
    };
    feed.attach(send);
    const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS);
    response.once('close', () => {
      clearInterval(heartbeat);
      feed.unsubscribe();
      open.delete(response);
    });
  };

  /** Audits what was done to a linked device, and answers its account as it now is. */
  const recorded = async (request: FastifyRequest, action: AuditAction, account: Account) => {
    await audit.record(request, action, { type: 'account', id: account.id, label: account.phone });
    const stats = await store.accounts.stats(account.workspaceId);
    const linked = await store.whatsappWebSessions.get(account.id);
    return accountDto(account, stats.get(account.id), undefined, linked);
  };

  return async (app) => {
    app.addHook('preClose', async () => {
      for (const response of open) response.end();
    });

    app.post(
      '/accounts/:accountId/pairing',
      {
        schema: {
          tags: ['accounts'],
          summary:
            'Pair a linked-device account: stream QR codes (or a pairing code) until the phone confirms',
          description:
            'text/event-stream. Events: `qr` ({qr, svg}; a new one about every 20 s), `code` ({code}), then ' +
            '`connected` ({me}) or `failed` ({code, reason}). The account must be of kind linked_device and not ' +
            `linked yet. ${LINKED_DEVICE_RISK}`,
          params: z.object({ accountId: z.string() }),
          body: PairingSchema,
          response: {
            200: PairingStream,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const grant = grantOf(request);
        const account = await accountOf(request, request.params.accountId, 'manage');
        const session = await linkedDevices.pair(account, { method: request.body.method }, optedInBy(grant));
        const feed = listen(session);
        try {
          await audit.record(
            request,
            'pairing.started',
            { type: 'account', id: account.id, label: account.phone },
            { method: request.body.method },
          );
        } catch (error) {
          feed.unsubscribe();
          throw error;
        }
        reply.hijack();
        stream(feed, reply.raw);
      },
    );

    app.get(
      '/accounts/:accountId/pairing',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Follow a pairing under way (the same events as starting it)',
          params: z.object({ accountId: z.string() }),
          response: { 200: PairingStream, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const account = await accountOf(request, request.params.accountId, 'read');
        const session = await linkedDevices.follow(account);
        if (!session) throw new WasyncError('not_found', `No pairing of ${account.phone} is under way.`);
        reply.hijack();
        stream(listen(session), reply.raw);
      },
    );

    app.post(
      '/accounts/:accountId/pairing/resume',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Resume a linked-device session that another copy replaced',
          description:
            'A session whose state is `replaced` (WhatsApp closed it with 440 because another copy connected ' +
            'with the same keys) stays stopped: two copies taking the session in turn look like abuse. Once ' +
            'the other copy is stopped, this connects again from the stored keys, without pairing. ' +
            '`conflict` when the session is in any other state; `worker_unavailable` when no process running ' +
            'background work took the request in time.',
          params: z.object({ accountId: z.string() }),
          response: {
            200: AccountSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
            503: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const account = await accountOf(request, request.params.accountId, 'manage');
        await linkedDevices.resume(account);
        return recorded(request, 'pairing.resumed', account);
      },
    );

    app.delete(
      '/accounts/:accountId/pairing',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Unlink a linked-device account: WhatsApp removes the device and its keys are forgotten',
          description:
            'Messages already stored stay. Pairing again starts a new session (and a new history sync). ' +
            '`worker_unavailable` when no process running background work took the request in time.',
          params: z.object({ accountId: z.string() }),
          response: {
            200: AccountSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
            503: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const account = await accountOf(request, request.params.accountId, 'manage');
        if (account.sourceKind !== 'linked_device') {
          throw new WasyncError(
            'validation_failed',
            `Account ${account.id} is not a linked-device account.`,
            {
              issues: [{ field: 'accountId', message: `its source is ${account.sourceKind}` }],
            },
          );
        }
        await linkedDevices.unlink(account);
        return recorded(request, 'pairing.unlinked', account);
      },
    );
  };
}
