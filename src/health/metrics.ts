import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CrmObserver } from '../crms/kit/crm-observer.js';
import type { JobObservation, QueueCounts } from '../sync/queue.js';

/**
 * The Prometheus metrics of one process, in a registry of its own (tests build many processes in one).
 * Built with the services, so a worker without the HTTP API counts too; serving them is apart
 * (`registerMetrics` on any Fastify instance). README, "Metrics", lists them.
 */
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
  readonly crmRequests = new Counter({
    name: 'wasync_crm_requests_total',
    help: 'HTTP requests to a CRM (sign-ins included) by connection, CRM kind and outcome (2xx, 4xx, 5xx, network_error, cancelled).',
    labelNames: ['connection', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly crmRateLimitWait = new Histogram({
    name: 'wasync_crm_rate_limit_wait_seconds',
    help: "Seconds a CRM request waited for a slot in its connection's request budget.",
    labelNames: ['connection', 'kind'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly crmAllocationRefusals = new Counter({
    name: 'wasync_crm_allocation_refusals_total',
    help: "CRM requests refused before being sent because the CRM's request allocation is spent.",
    labelNames: ['connection', 'kind'] as const,
    registers: [this.registry],
  });
  /** Where the queue's depth is read at each scrape (`watchQueue`). */
  private queueCounts: (() => Promise<QueueCounts>) | undefined;
  /**
   * Jobs in the work queue by state (waiting, delayed, active), read from the queue at each scrape:
   * BullMQ's counts in scale mode (every process's jobs), the SQL queue's sync requests in embedded mode.
   */
  readonly queueDepth = new Gauge({
    name: 'wasync_queue_jobs',
    help: 'Jobs in the work queue by queue and state (waiting, delayed, active).',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
    collect: async () => {
      const counts = await this.queueCounts?.().catch(() => undefined);
      if (!counts) return;
      for (const state of ['waiting', 'delayed', 'active'] as const) {
        this.queueDepth.set({ queue: 'work', state }, counts[state]);
      }
    },
  });
  /** How long each job of this process ran, by kind (sync, webhooks, media). */
  readonly jobDuration = new Histogram({
    name: 'wasync_job_duration_seconds',
    help: 'Duration of work-queue jobs run by this process, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  /** How long each job waited past its due time before this process took it: the queue's latency. */
  readonly jobWait = new Histogram({
    name: 'wasync_job_wait_seconds',
    help: 'Seconds a work-queue job waited past its due time before a worker took it, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  /** Reads the queue's depth at each scrape. */
  watchQueue(counts: () => Promise<QueueCounts>): void {
    this.queueCounts = counts;
  }

  /** A job this process ran (the worker's observer). */
  readonly jobObserver = (observation: JobObservation): void => {
    this.jobDuration.observe({ kind: observation.kind }, observation.ranMs / 1000);
    this.jobWait.observe({ kind: observation.kind }, observation.waitedMs / 1000);
  };

  /** What the CRM layer tells of its requests, counted here (handed to the connections). */
  readonly crmObserver: CrmObserver = {
    callEnded: ({ connectionId, kind }, outcome) =>
      this.crmRequests.inc({ connection: connectionId, kind, outcome }),
    slotTaken: ({ connectionId, kind }, seconds) =>
      this.crmRateLimitWait.observe({ connection: connectionId, kind }, seconds),
    allocationRefused: ({ connectionId, kind }) =>
      this.crmAllocationRefusals.inc({ connection: connectionId, kind }),
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'wasync_' });
  }
}
