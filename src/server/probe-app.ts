import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Metrics } from '../health/metrics.js';
import { notFoundEnvelope, registerErrorEnvelope } from './error-envelope.js';
import { registerMetrics } from './metrics.js';
import type { ReadinessCheck } from './readiness.js';
import { healthRoutes } from './routes/health.js';

export interface ProbeAppOptions {
  metrics: Metrics;
  /** WASYNC_METRICS_TOKEN: `/metrics` needs it when set. */
  metricsToken: string | undefined;
  /** What `/readyz` checks: `readinessChecks(services)` and the role's own (a worker's queue). */
  checks: readonly ReadinessCheck[];
  readinessTimeoutMs?: number;
}

/**
 * The small HTTP app of a process that serves no API (`wasync worker`): `/healthz`, `/readyz` and
 * `/metrics`, as the API's app answers them, and nothing else. Listening is the caller's.
 */
export async function buildProbeApp(options: ProbeAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorEnvelope(app);
  app.setNotFoundHandler(notFoundEnvelope);
  registerMetrics(app, options.metrics, options.metricsToken);
  await app.register(
    healthRoutes(options.checks, {
      ...(options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs }),
    }),
  );
  return app;
}
