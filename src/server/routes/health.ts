import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';

/** Liveness (the process answers) and readiness (it can reach its database). */
export function healthRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const Status = z.object({ status: z.string() });
    app.get('/healthz', { schema: { hide: true, response: { 200: Status } } }, async () => ({
      status: 'ok',
    }));
    app.get('/readyz', { schema: { hide: true, response: { 200: Status } } }, async () => {
      try {
        await services.store.sql.ping();
      } catch (error) {
        throw new WasyncError('not_ready', `The database is unreachable: ${(error as Error).message}`);
      }
      return { status: 'ready' };
    });
  };
}
