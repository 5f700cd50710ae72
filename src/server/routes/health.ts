import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { checkReadiness, READINESS_TIMEOUT_MS, type ReadinessCheck } from '../readiness.js';

/**
 * Liveness (the process answers) and readiness (each of its checks passes: the database, Redis in
 * scale mode, a worker's queue). Any Fastify instance can carry these: the API's, or a worker's
 * small listener.
 */
export function healthRoutes(
  checks: readonly ReadinessCheck[],
  options: { timeoutMs?: number } = {},
): FastifyPluginAsyncZod {
  return async (app) => {
    const Status = z.object({ status: z.string() });
    const Ready = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) });
    app.get('/healthz', { schema: { hide: true, response: { 200: Status } } }, async () => ({
      status: 'ok',
    }));
    app.get('/readyz', { schema: { hide: true, response: { 200: Ready } } }, async () => {
      const readiness = await checkReadiness(checks, options.timeoutMs ?? READINESS_TIMEOUT_MS);
      if (!readiness.ready) {
        const failing = Object.entries(readiness.checks).filter(([, outcome]) => outcome !== 'ok');
        throw new WasyncError(
          'not_ready',
          `Not ready: ${failing.map(([name, outcome]) => `${name}: ${outcome}`).join('; ')}`,
          { checks: readiness.checks },
        );
      }
      return { status: 'ready' as const, checks: readiness.checks };
    });
  };
}
