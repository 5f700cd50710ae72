/**
 * The run orchestrator, as the API, the CLI and the worker ask for it: run a connection (holding its
 * lease), "sync now", retry failed writes, the status of a connection, and the workspace's settings as
 * of the last run. The links between chats and CRM records are RecordsService's (records-service.ts).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Workspace } from '../core/model.js';
import type { CountryCode } from '../core/phone.js';
import type { ConnectionService, ConnectionView } from '../crms/connections.js';
import { CrmError, type Destination } from '../crms/types.js';
import type { Store } from '../store/index.js';
import type { CrmChatState } from '../store/repositories/crm-chat-state.js';
import type { LedgerEntry } from '../store/repositories/sync-ledger.js';
import { backoffMs } from './backoff.js';
import { SyncEngine, type SyncEngineOptions, SyncStopped } from './engine.js';
import { LeaseLost, RunLease } from './lease.js';
import type { ClaimedJob, JobState, RunSummary, SyncQueue } from './queue.js';
import { SqlSyncQueue } from './sql-queue.js';

export interface SyncServiceOptions {
  store: Store;
  workspace: Workspace;
  connections: ConnectionService;
  logger: Logger;
  backfillDays: number;
  intervalMs: number;
  /** The server's WASYNC_DEFAULT_REGION, for a workspace that sets no default region of its own. */
  defaultRegion?: CountryCode | undefined;
  /** How long a run's lease lasts without renewal: a process that dies frees its jobs after this. */
  leaseMs?: number;
  /** First step of the backoff after a failed run. */
  retryBaseMs?: number;
  engine?: Pick<SyncEngineOptions, 'marginMs' | 'recheckMs' | 'retryBaseMs' | 'retryMaxMs' | 'clock'>;
}

export type RunOutcome =
  | { state: 'done'; summary: RunSummary }
  | { state: 'retrying'; summary: RunSummary | undefined; error: string; retryAt: Date }
  | { state: 'parked'; summary: RunSummary | undefined; reason: string }
  | { state: 'busy' };

export interface SyncStatus {
  connection: ConnectionView;
  job: JobState | undefined;
  /** The workspace's chats by their state on the connection, as the chat list shows them. */
  chats: Record<CrmChatState, number>;
  writes: Record<LedgerEntry['state'], number>;
  /** Writes not done: failed (to be retried), refused, or of unknown outcome. */
  problems: LedgerEntry[];
}

export class SyncService {
  readonly engine: SyncEngine;
  readonly queue: SyncQueue;
  /** Called after a run was asked for, so an idle worker in this process starts at once. */
  onEnqueue: (() => void) | undefined;
  /** Called after each run of this process, however it ended. */
  onRunFinished: ((connectionId: string, outcome: RunOutcome) => void) | undefined;
  readonly owner = `${hostname()}:${process.pid}`;
  private readonly destinations = new Map<string, Promise<Destination>>();
  private readonly leaseMs: number;
  /** The workspace's sync interval and backfill days, as of the last run. */
  private intervalMs: number;
  private backfillDaysNow: number;

  constructor(private readonly options: SyncServiceOptions) {
    this.queue = new SqlSyncQueue(options.store.sql.db);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.intervalMs = options.intervalMs;
    this.backfillDaysNow = options.backfillDays;
    this.engine = new SyncEngine({
      store: options.store,
      workspace: options.workspace,
      logger: options.logger,
      backfillDays: options.backfillDays,
      defaultRegion: options.defaultRegion,
      ...options.engine,
    });
  }

  /** The connection's destination, signed in once and reused by every run of this process. */
  destination(connectionId: string): Promise<Destination> {
    let destination = this.destinations.get(connectionId);
    if (!destination) {
      destination = this.options.connections.destination(this.options.workspace.id, connectionId);
      destination.catch(() => this.destinations.delete(connectionId));
      this.destinations.set(connectionId, destination);
    }
    return destination;
  }

  /** Leases the most overdue job of any connection for this process. */
  claimNext(): Promise<ClaimedJob | undefined> {
    return this.queue.claim(this.owner, Date.now(), this.leaseMs);
  }

  /**
   * Runs one connection in this process now (`wasync sync --once`), unless another process is. An
   * extra pass: the connection keeps its schedule. Its next run stays when the worker that schedules
   * it set it, on that worker's interval (this process may be configured with another one); only a
   * connection with no run ahead is scheduled from here.
   */
  async runNow(idOrName: string): Promise<RunOutcome> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    if (connection.state === 'parked') {
      return { state: 'parked', summary: undefined, reason: connection.parkedReason ?? 'parked' };
    }
    const before = await this.queue.state(connection.id);
    // A run is going on: asking for another would only have it run again at once when it finishes.
    if (before?.running) return { state: 'busy' };
    const now = Date.now();
    const ahead = before?.runAt && before.runAt.getTime() > now ? before.runAt.getTime() : undefined;
    await this.queue.enqueue(connection.id, now, 'run now');
    const job = await this.queue.claim(this.owner, now, this.leaseMs, connection.id);
    if (!job) return { state: 'busy' };
    return this.runJob(job, ahead);
  }

  /**
   * Runs a claimed job, renewing its lease meanwhile, and schedules what comes next: at `nextAt` when
   * given (the run the connection had ahead), else one interval from now; sooner for writes to retry.
   */
  async runJob(job: ClaimedJob, nextAt?: number): Promise<RunOutcome> {
    const outcome = await this.run(job, nextAt);
    this.onRunFinished?.(job.connectionId, outcome);
    return outcome;
  }

  private async run(job: ClaimedJob, scheduledAt: number | undefined): Promise<RunOutcome> {
    const log = this.options.logger.child({ connection: job.connectionId, reason: job.reason });
    await this.refreshSettings();
    let connection: ConnectionView;
    try {
      connection = await this.options.connections.get(this.options.workspace.id, job.connectionId);
    } catch {
      // Deleted while queued: its job row went with it.
      return { state: 'busy' };
    }
    const lease = new RunLease({ queue: this.queue, job, leaseMs: this.leaseMs, logger: log });
    lease.start();
    try {
      const destination = await this.destination(connection.id);
      const result = await this.engine.run(connection, destination, lease);
      lease.throwIfLost();
      const { nextRetryAt, ...summary } = result;
      const nextAt = Math.min(
        scheduledAt ?? Date.now() + this.intervalMs,
        nextRetryAt ?? Number.POSITIVE_INFINITY,
      );
      await this.queue.complete(job, summary, nextAt);
      log.info({ summary }, 'sync run finished');
      return { state: 'done', summary };
    } catch (error) {
      // The job is another process's now: it finishes the work, and this one must not touch the job.
      if (error instanceof LeaseLost || lease.signal.aborted) return { state: 'busy' };
      const crmError =
        error instanceof SyncStopped ? error.crmError : error instanceof CrmError ? error : undefined;
      const summary = error instanceof SyncStopped ? error.summary : undefined;
      if (crmError?.kind === 'park') {
        const reason = `${crmError.message} (${crmError.code})`;
        await this.options.connections.park(connection.id, reason);
        this.destinations.delete(connection.id);
        await this.queue.fail(job, reason, Date.now() + this.intervalMs, summary);
        // Nothing runs until a person acts: "sync now" (or a setup) queues the next run.
        await this.queue.unschedule(connection.id);
        log.warn({ parkedReason: reason }, 'connection parked: a person must act');
        return { state: 'parked', summary, reason };
      }
      const message = crmError ? `${crmError.code}: ${crmError.message}` : String(error);
      const retryAt =
        Date.now() +
        backoffMs(job.attempts, {
          baseMs: this.options.retryBaseMs ?? 5_000,
          maxMs: this.intervalMs,
          retryAfterMs: crmError?.retryAfterMs,
        });
      await this.queue.fail(job, message, retryAt, summary);
      if (crmError) log.warn({ error: message, retryAt: new Date(retryAt) }, 'sync run stopped; will retry');
      else log.error({ err: error }, 'sync run failed');
      return { state: 'retrying', summary, error: message, retryAt: new Date(retryAt) };
    } finally {
      lease.stop();
    }
  }

  /**
   * Reads the workspace's settings, which an admin may have changed since the last run: time zone and
   * default region (on the shared workspace object), backfill window and sync interval (the server's
   * configured values where the workspace sets none).
   */
  async refreshSettings(): Promise<void> {
    const settings = await this.options.store.workspaces.settings(this.options.workspace.id);
    this.options.workspace.timeZone = settings.timeZone;
    this.options.workspace.defaultRegion = settings.defaultRegion;
    this.intervalMs = settings.syncIntervalMs ?? this.options.intervalMs;
    this.backfillDaysNow = settings.backfillDays ?? this.options.backfillDays;
    this.engine.setBackfillDays(this.backfillDaysNow);
  }

  /** "Sync now": a parked connection is given another try (it parks again if nothing was fixed). */
  async syncNow(idOrName: string): Promise<JobState | undefined> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    if (connection.state === 'parked') {
      await this.options.connections.unpark(connection.id);
      this.destinations.delete(connection.id);
    }
    await this.queue.enqueue(connection.id, Date.now(), 'sync now');
    this.onEnqueue?.();
    return this.queue.state(connection.id);
  }

  /** The workspace's backfill window in days, as of the last run. */
  get backfillDays(): number {
    return this.backfillDaysNow;
  }

  /** Asks for a run of the connection, which an idle worker in this process starts at once. */
  async enqueue(connectionId: string, reason: string): Promise<void> {
    await this.queue.enqueue(connectionId, Date.now(), reason);
    this.onEnqueue?.();
  }

  /** When the connection's next run is due (undefined: none is queued, e.g. a parked connection). */
  async nextRunAt(connectionId: string): Promise<Date | undefined> {
    return (await this.queue.state(connectionId))?.runAt;
  }

  /** Forgets a connection's signed-in destination (after its credentials or setup changed). */
  forget(connectionId: string): void {
    this.destinations.delete(connectionId);
  }

  async status(idOrName: string): Promise<SyncStatus> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const { store } = this.options;
    return {
      connection,
      job: await this.queue.state(connection.id),
      chats: await store.syncProgress.countStates(
        connection.id,
        this.options.workspace.id,
        Date.now() - this.backfillDaysNow * 86_400_000,
      ),
      writes: await store.ledger.counts(connection.id),
      problems: await store.ledger.problems(connection.id, 50),
    };
  }

  /** A person asked to try failed and refused writes again. */
  async retryFailures(idOrName: string): Promise<number> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const chats = await this.options.store.ledger.retryProblems(connection.id);
    await this.options.store.syncProgress.invalidate([connection.id], chats);
    await this.syncNow(connection.id);
    return chats.length;
  }
}
