import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { WasyncError } from '../core/errors.js';

/** Prometheus metrics of one process; each app gets its own registry so tests do not share counters. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'wasync_http_requests_total',
    help: 'HTTP requests by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'wasync_http_request_duration_seconds',
    help: 'HTTP request duration by route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly ingestedItems = new Counter({
    name: 'wasync_ingest_items_total',
    help: 'Ingested items by source and outcome (stored, duplicate, rejected).',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'wasync_' });
  }
}

/** `/metrics`, open or (with `token`, WASYNC_METRICS_TOKEN) only for `Authorization: Bearer <token>`. */
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
