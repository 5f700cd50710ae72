import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { LiveEvent } from '../../core/live.js';
import type { Services } from '../../services.js';
import { grantOf } from '../auth.js';

/** A comment line now and then keeps proxies and browsers from closing a quiet stream. */
const HEARTBEAT_MS = 25_000;

/**
 * GET /api/v1/events: server-sent events for the open pages of the workspace. `messages` when
 * messages are stored or change (with the chats), `sync` when a sync run ends (with its outcome).
 * The browser's EventSource reconnects by itself after a drop (`retry` is 3 s).
 */
export function eventRoutes(
  services: Services,
  options: { heartbeatMs?: number } = {},
): FastifyPluginAsyncZod {
  const open = new Set<ServerResponse>();
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
            'text/event-stream. Events: `messages` ({accountId, chatIds}) and `sync` ({connectionId, state, at}).',
        },
      },
      async (request, reply) => {
        grantOf(request);
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
        const send = (event: LiveEvent) => {
          const { type, ...data } = event;
          response.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
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
