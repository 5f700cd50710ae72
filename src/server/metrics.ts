import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WasyncError } from '../core/errors.js';
import type { Metrics } from '../health/metrics.js';

/**
 * `/metrics`, open or (with `token`, WASYNC_METRICS_TOKEN) only for `Authorization: Bearer <token>`,
 * and the HTTP metrics of the instance's requests: the API's app, or a worker's probe listener.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (token !== undefined && !bearerMatches(request, token)) {
      reply.header('WWW-Authenticate', 'Bearer realm="wasync metrics"');
      throw new WasyncError(
        'unauthorized',
        'The metrics need `Authorization: Bearer <WASYNC_METRICS_TOKEN>`.',
      );
    }
    reply.header('Content-Type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return false;
  const sent = Buffer.from(header.slice('Bearer '.length).trim());
  const expected = Buffer.from(token);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
