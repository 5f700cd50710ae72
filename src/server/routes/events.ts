import type { ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LiveEvent } from '../../core/live.js';
import type { Services } from '../../services.js';
import { ChatAccess } from '../access.js';
import { grantOf } from '../auth.js';

/** The events the stream carries, as the API document shows them. */
const LiveEventSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('messages'),
      accountId: z.string(),
      chatIds: z.array(z.string()).describe('The chats whose messages were stored or changed.'),
    }),
    z.object({
      type: z.literal('sync'),
      connectionId: z.string(),
      state: z.enum(['done', 'retrying', 'parked', 'busy']).describe('How the run ended.'),
      at: z.string(),
      summary: z
        .string()
        .optional()
        .describe('What the run did, in the line `wasync sync --once` prints; absent when it did nothing.'),
      by: z.string().optional().describe('The process that ran it (host:pid): in scale mode, which worker.'),
    }),
  ])
  .meta({
    id: 'LiveEvent',
    description: 'One server-sent event: `type` is its event name, the rest its data (JSON).',
  });

/** A comment line now and then keeps proxies and browsers from closing a quiet stream. */
const HEARTBEAT_MS = 25_000;
/** How long a page's list of readable numbers is trusted before it is read again. */
const ACCESS_REFRESH_MS = 5_000;

/**
 * GET /api/v1/events: server-sent events for the open pages of the workspace. `messages` when
 * messages are stored or change (with the chats), `sync` when a sync run ends (with its outcome).
 * The browser's EventSource reconnects by itself after a drop (`retry` is 3 s).
 */
export function eventRoutes(
  services: Services,
  options: { heartbeatMs?: number; accessRefreshMs?: number } = {},
): FastifyPluginAsyncZod {
  const open = new Set<ServerResponse>();
  const access = new ChatAccess(services);
  /**
   * Whether the page reads an account's chats, asked of the store again after a few seconds: an
   * account shared or unshared, a person demoted, changes what an open page hears without a reload.
   */
  const readableFor = (request: FastifyRequest) => {
    let known: { at: number; accounts: Promise<ReadonlySet<string> | 'all'> } | undefined;
    return async (accountId: string) => {
      const now = Date.now();
      if (!known || now - known.at > (options.accessRefreshMs ?? ACCESS_REFRESH_MS))
        known = { at: now, accounts: access.readable(request).catch(() => new Set<string>()) };
      const accounts = await known.accounts;
      return accounts === 'all' || accounts.has(accountId);
    };
  };
  return async (app) => {
    // Before the server stops listening, which waits for open connections to end.
    app.addHook('preClose', async () => {
      for (const response of open) response.end();
    });
    app.get(
      '/events',
      {
        schema: {
          tags: ['events'],
          summary: 'Live updates as server-sent events: messages stored or changed, sync runs finished',
          description:
            'text/event-stream. Events: `messages` ({accountId, chatIds}; only of the numbers the reader reads) and `sync` ({connectionId, state, at, summary}).',
          response: {
            200: {
              description: 'Server-sent events while the page is open.',
              content: { 'text/event-stream': { schema: LiveEventSchema } },
            },
          },
        },
      },
      async (request, reply) => {
        grantOf(request);
        const readable = readableFor(request);
        reply.hijack();
        const response = reply.raw;
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        response.write('retry: 3000\n\n');
        open.add(response);
        // In order, each after the check of whether this page reads the chats it names.
        let queue = Promise.resolve();
        const send = (event: LiveEvent) => {
          queue = queue
            .then(async () => {
              if (event.type === 'messages' && !(await readable(event.accountId))) return;
              const documented: z.infer<typeof LiveEventSchema> = event;
              const { type, ...data } = documented;
              response.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
            })
            .catch(() => undefined);
        };
        const unsubscribe = services.live.subscribe(send);
        const heartbeat = setInterval(
          () => response.write(': ping\n\n'),
          options.heartbeatMs ?? HEARTBEAT_MS,
        );
        const close = () => {
          clearInterval(heartbeat);
          unsubscribe();
          open.delete(response);
        };
        request.raw.once('close', close);
        response.once('close', close);
      },
    );
  };
}
