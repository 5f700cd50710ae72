import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type {
  BackgroundJobKind,
  NextRun,
  QueueCounts,
  ReconcileResult,
  SyncDecision,
  WorkHandlers,
  WorkQueue,
} from './queue.js';

export interface BullWorkQueueOptions {
  /** REDIS_URL. */
  url: string;
  logger: Logger;
  /** BullMQ's key prefix: several installations (or test suites) on one Redis keep apart. */
  prefix?: string;
  /** Sync runs one process works on at once (each holds its own connection). */
  syncConcurrency?: number;
  /** Background passes one process works on at once. */
  jobConcurrency?: number;
  /** How often a worker brings the schedules in line with the connections (the safety net). */
  sweepMs?: number;
  /** How soon a run that found its connection held by another process is asked for again. */
  busyRetryMs?: number;
  /** BullMQ's lock on a job being worked on; renewed by the worker at half this. */
  lockMs?: number;
}

interface SyncJobData {
  connectionId: string;
  reason: string;
}

const SCHEDULER = 'sync:';
const DEDUPLICATION = 'sync:';

/**
 * The scale-mode work queue on BullMQ. Two queues: `sync` (one job scheduler per connection at its own
 * interval, plus deduplicated one-off runs: "sync now", retries, new messages) and `background`
 * (webhook and media passes). Any number of processes add jobs; the workers (`wasync worker`, or
 * `wasync serve` without a role) take them. BullMQ's lock keeps a job with one worker and gives the
 * job of a worker that died to another; the run itself still takes its connection's lease in SQL
 * (SyncRuns), which is what keeps two writers off one connection.
 */
export class BullWorkQueue implements WorkQueue {
  readonly kind = 'bullmq' as const;
  private readonly client: Redis;
  private readonly sync: Queue<SyncJobData>;
  private readonly background: Queue;
  private workers: Worker[] = [];
  /** The workers' own Redis connections (blocking commands), closed after them. */
  private workerConnections: Redis[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly prefix: string;

  constructor(private readonly options: BullWorkQueueOptions) {
    this.prefix = options.prefix ?? 'wasync';
    // Producers fail fast while Redis is away (a request answers 503) rather than queue commands forever.
    this.client = new Redis(options.url, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.client.on('error', (error) => options.logger.warn({ err: error }, 'work queue: Redis connection'));
    this.sync = new Queue<SyncJobData>('sync', { connection: this.client, prefix: this.prefix });
    this.background = new Queue('background', { connection: this.client, prefix: this.prefix });
  }

  async requestSync(connectionId: string, at: number, reason: string): Promise<void> {
    const now = Date.now();
    const pending = await this.pendingRun(connectionId);
    // Earliest wins: a request due no later than this one already covers it.
    if (pending && pending.state !== 'active' && pending.at <= at) return;
    // During the connection's run BullMQ keeps only the last request for after it; one no later than
    // this one is kept already, so this one would only push it back.
    if (pending?.state === 'active') {
      const kept = await this.keptDelay(connectionId);
      if (kept !== undefined && kept <= Math.max(0, at - now)) return;
    }
    await this.sync.add(
      'sync',
      { connectionId, reason },
      {
        delay: Math.max(0, at - now),
        deduplication: {
          id: `${DEDUPLICATION}${connectionId}`,
          // A request later than the pending one was returned above; a sooner one takes its place.
          replace: true,
          // Asked for during the connection's run: one more run after it, never two at once.
          keepLastIfActive: true,
        },
        removeOnComplete: true,
        removeOnFail: { count: 100 },
      },
    );
  }

  async scheduleSync(connectionId: string, everyMs: number): Promise<void> {
    const existing = await this.sync.getJobScheduler(`${SCHEDULER}${connectionId}`);
    if (existing?.every === everyMs) return;
    await this.sync.upsertJobScheduler(
      `${SCHEDULER}${connectionId}`,
      // The first scheduled run one interval from now: a run now is asked for on its own when due.
      { every: everyMs, startDate: Date.now() + everyMs },
      {
        name: 'sync',
        data: { connectionId, reason: 'schedule' },
        opts: { removeOnComplete: true, removeOnFail: { count: 100 } },
      },
    );
  }

  async unscheduleSync(connectionId: string): Promise<void> {
    await this.sync.removeJobScheduler(`${SCHEDULER}${connectionId}`);
    const pending = await this.pendingRun(connectionId);
    if (pending && pending.state !== 'active') await this.removePending(pending.job);
  }

  /** Removes a run not yet started, and its deduplication key, so a later request queues afresh. */
  private async removePending(job: Job<SyncJobData>): Promise<void> {
    try {
      await job.remove();
    } catch (error) {
      // Taken by a worker meanwhile: it runs, as if the removal had come a moment later.
      this.options.logger.debug({ err: error, job: job.id }, 'work queue: a pending run had started');
    }
  }

  async dropDue(connectionId: string, now: number): Promise<void> {
    const pending = await this.pendingRun(connectionId);
    if (pending && pending.state !== 'active' && pending.at <= now) await this.removePending(pending.job);
  }

  async nextSync(connectionId: string): Promise<NextRun | undefined> {
    const [pending, scheduler] = await Promise.all([
      this.pendingRun(connectionId),
      this.sync.getJobScheduler(`${SCHEDULER}${connectionId}`),
    ]);
    const candidates: NextRun[] = [];
    if (pending && pending.state !== 'active') {
      candidates.push({ at: new Date(pending.at), reason: pending.reason });
    }
    if (scheduler?.next !== undefined) candidates.push({ at: new Date(scheduler.next), reason: 'schedule' });
    candidates.sort((a, b) => a.at.getTime() - b.at.getTime());
    return candidates[0];
  }

  async reconcile(active: readonly string[], everyMs: number): Promise<ReconcileResult> {
    const schedulers = await this.sync.getJobSchedulers(0, -1);
    const have = new Map(
      schedulers.filter((s) => s.key.startsWith(SCHEDULER)).map((s) => [s.key.slice(SCHEDULER.length), s]),
    );
    const wanted = new Set(active);
    const result: ReconcileResult = { added: [], removed: [] };
    for (const id of active) {
      const scheduler = have.get(id);
      if (scheduler?.every === everyMs) continue;
      await this.scheduleSync(id, everyMs);
      if (!scheduler) {
        await this.requestSync(id, Date.now(), 'first sync');
        result.added.push(id);
      }
    }
    for (const id of have.keys()) {
      if (wanted.has(id)) continue;
      await this.unscheduleSync(id);
      result.removed.push(id);
    }
    return result;
  }

  async addJob(kind: BackgroundJobKind): Promise<void> {
    await this.background.add(
      kind,
      {},
      {
        // One pass picks up everything pending; one that arrives during a pass gets one more pass.
        deduplication: { id: kind, keepLastIfActive: true },
        removeOnComplete: true,
        removeOnFail: { count: 100 },
      },
    );
  }

  start(handlers: WorkHandlers): void {
    if (this.workers.length > 0) return;
    const { logger } = this.options;
    // Blocking commands wait out a Redis restart instead of failing (BullMQ's advice for workers).
    const connection = () => {
      const redis = new Redis(this.options.url, { maxRetriesPerRequest: null });
      redis.on('error', (error) => logger.warn({ err: error }, 'work queue worker: Redis connection'));
      this.workerConnections.push(redis);
      return redis;
    };
    const workerOptions = { prefix: this.prefix, lockDuration: this.options.lockMs ?? 30_000 };
    const sync = new Worker<SyncJobData, SyncDecision>(
      'sync',
      async (job, _token, signal) => {
        const started = Date.now();
        const decision = await handlers.sync({
          connectionId: job.data.connectionId,
          reason: job.data.reason,
          ...(signal ? { signal } : {}),
        });
        handlers.observe?.({
          kind: 'sync',
          waitedMs: waited(job, started),
          ranMs: Date.now() - started,
          outcome: decision.state === 'busy' ? 'busy' : 'done',
        });
        return decision;
      },
      { ...workerOptions, connection: connection(), concurrency: this.options.syncConcurrency ?? 2 },
    );
    // What follows a run is queued once its job is done: a request kept during the run (see
    // requestSync) has then become a job of its own, and the sooner of the two wins.
    sync.on('completed', (job, decision) => {
      this.follow(job.data.connectionId, decision).catch((error: unknown) =>
        logger.warn(
          { err: error, connection: job.data.connectionId },
          'work queue: could not queue the next run',
        ),
      );
    });
    const background = new Worker(
      'background',
      async (job) => {
        const started = Date.now();
        let outcome: 'done' | 'failed' = 'failed';
        try {
          await handlers.job(job.name as BackgroundJobKind);
          outcome = 'done';
        } finally {
          handlers.observe?.({
            kind: job.name as BackgroundJobKind,
            waitedMs: waited(job, started),
            ranMs: Date.now() - started,
            outcome,
          });
        }
      },
      {
        ...workerOptions,
        connection: connection(),
        concurrency: this.options.jobConcurrency ?? 2,
      },
    );
    for (const worker of [sync, background]) {
      worker.on('error', (error) => logger.warn({ err: error }, 'work queue worker'));
      worker.on('failed', (job, error) =>
        logger.error({ err: error, job: job?.name, data: job?.data }, 'work queue job failed'),
      );
      // The lock on a job is gone (this process stalled past it): the job's run stops, as a lost lease does.
      worker.on('lockRenewalFailed', (ids) => {
        for (const id of ids) worker.cancelJob(id, 'the queue lock on the job was lost');
      });
    }
    this.workers = [sync, background];
    const sweep = async () => {
      try {
        const { active, everyMs } = await handlers.schedules();
        await this.reconcile(active, everyMs);
      } catch (error) {
        logger.warn({ err: error }, 'work queue: could not bring the schedules in line');
      }
    };
    void sweep();
    this.sweepTimer = setInterval(() => void sweep(), this.options.sweepMs ?? 60_000);
  }

  /** Stops taking jobs; the ones in progress finish first (BullMQ's graceful close). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => worker.close()));
    for (const redis of this.workerConnections.splice(0)) redis.disconnect();
  }

  async counts(): Promise<QueueCounts> {
    const [sync, background] = await Promise.all(
      [this.sync, this.background].map((queue) =>
        queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
      ),
    );
    const sum = (key: string) => (sync?.[key] ?? 0) + (background?.[key] ?? 0);
    return { waiting: sum('waiting') + sum('prioritized'), delayed: sum('delayed'), active: sum('active') };
  }

  async ping(): Promise<void> {
    const answer = await this.client.ping();
    if (answer !== 'PONG') throw new Error(`Redis answered PING with ${answer}`);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.sync.close();
    await this.background.close();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** What follows a run: a sooner run than the schedule's next, none at all (parked), or a retry. */
  private async follow(connectionId: string, decision: SyncDecision): Promise<void> {
    if (decision.state === 'busy') {
      await this.requestSync(connectionId, Date.now() + (this.options.busyRetryMs ?? 2_000), decision.reason);
      return;
    }
    if (decision.next === undefined) {
      await this.unscheduleSync(connectionId);
      return;
    }
    // The interval is the job scheduler's; only a sooner run (a retry of failed writes) is asked for
    // here, or any run for a connection whose schedule is not there yet (the next sweep adds it).
    const scheduler = await this.sync.getJobScheduler(`${SCHEDULER}${connectionId}`);
    const scheduled = scheduler?.next ?? Number.POSITIVE_INFINITY;
    if (decision.next.at < scheduled - 1_000) {
      await this.requestSync(connectionId, decision.next.at, decision.next.reason);
    }
  }

  /**
   * The delay of the request kept for after the connection's run in progress (BullMQ's keepLastIfActive
   * holds it in the queue's `dn:<deduplication id>` hash until the run finishes), if one is kept. The
   * conformance suite's "keeps the soonest" case fails should a BullMQ upgrade move it.
   */
  private async keptDelay(connectionId: string): Promise<number | undefined> {
    const opts = await this.client.hget(this.sync.toKey(`dn:${DEDUPLICATION}${connectionId}`), 'opts');
    if (!opts) return undefined;
    const delay = (JSON.parse(opts) as { delay?: unknown }).delay;
    return typeof delay === 'number' ? delay : 0;
  }

  /** The connection's pending one-off run (not the scheduler's), if any. */
  private async pendingRun(
    connectionId: string,
  ): Promise<{ at: number; reason: string; state: string; job: Job<SyncJobData> } | undefined> {
    const id = await this.sync.getDeduplicationJobId(`${DEDUPLICATION}${connectionId}`);
    if (!id) return undefined;
    const job = await this.sync.getJob(id);
    if (!job) return undefined;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') return undefined;
    return { at: job.timestamp + (job.delay ?? 0), reason: job.data.reason, state, job };
  }
}

/** How long a job waited past its due time (its delay's end) before a worker took it. */
function waited(job: Job, started: number): number {
  return Math.max(0, started - (job.timestamp + (job.delay ?? 0)));
}
