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
import type {
  BackgroundJobKind,
  ClaimedJob,
  JobObservation,
  JobState,
  RunSummary,
  SyncDecision,
  SyncRequest,
  WorkHandlers,
  WorkQueue,
} from './queue.js';
import { SqlWorkQueue } from './sql-queue.js';
import { SyncRuns } from './sync-runs.js';

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
  /** Where runs are queued: the embedded SQL queue unless given (scale mode gives BullMQ's). */
  queue?: WorkQueue;
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
  /** When runs happen: the embedded SQL queue, or BullMQ in scale mode. */
  readonly queue: WorkQueue;
  /** Each connection's run history and one-writer lease, in SQL in both modes. */
  readonly runs: SyncRuns;
  /** Called after each run of this process, however it ended. */
  onRunFinished: ((connectionId: string, outcome: RunOutcome) => void) | undefined;
  readonly owner = `${hostname()}:${process.pid}`;
  private readonly destinations = new Map<string, Promise<Destination>>();
  private readonly leaseMs: number;
  /** The workspace's sync interval and backfill days, as of the last run. */
  private intervalMs: number;
  private backfillDaysNow: number;

  constructor(private readonly options: SyncServiceOptions) {
    this.queue =
      options.queue ??
      new SqlWorkQueue(options.store.sql.db, options.logger.child({ component: 'work-queue' }));
    this.runs = new SyncRuns(options.store.sql.db);
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
    const now = Date.now();
    const job = await this.runs.acquire(connection.id, this.owner, now, this.leaseMs, 'run now');
    // A run is going on: asking for another would only have it run again at once when it finishes.
    if (!job) return { state: 'busy' };
    // This run covers what was asked for by now; a run due later stays where it is.
    await this.queue.dropDue(connection.id, now);
    const ahead = await this.queue.nextSync(connection.id);
    const { outcome, decision } = await this.runClaimed(job, undefined, connection);
    if (decision.state === 'ran' && decision.next) {
      const keep = ahead && ahead.at.getTime() > now ? ahead.at.getTime() : undefined;
      const retry = outcome.state === 'retrying' || decision.next.reason === 'retry';
      // The run ahead stays; only a sooner retry, or a connection with none, is queued from here.
      if (keep === undefined || (retry && decision.next.at < keep)) {
        await this.queue.requestSync(connection.id, decision.next.at, decision.next.reason);
      }
    } else if (decision.state === 'ran') await this.queue.unscheduleSync(connection.id);
    return outcome;
  }

  /** A run the queue delivered: taken when no other process holds the connection, else `busy`. */
  async runRequested(request: SyncRequest): Promise<SyncDecision> {
    // Read once, before the lease: the run goes on with it.
    const connection = await this.options.connections
      .get(this.options.workspace.id, request.connectionId)
      .catch(() => undefined);
    // Deleted since it was queued (its job outlived it in Redis): nothing runs, and its schedule goes.
    if (!connection) return { state: 'ran', next: undefined };
    const job = await this.runs.acquire(
      request.connectionId,
      this.owner,
      Date.now(),
      this.leaseMs,
      request.reason,
    );
    if (!job) return { state: 'busy', reason: request.reason };
    return (await this.runClaimed(job, request.signal, connection)).decision;
  }

  /**
   * What this process does with the work the queue delivers: sync runs here, background passes as
   * given (scale mode), each job's wait and length to `observe`.
   */
  workHandlers(
    jobs: Partial<Record<BackgroundJobKind, () => Promise<unknown>>> = {},
    observe?: (observation: JobObservation) => void,
  ): WorkHandlers {
    return {
      sync: (request) => this.runRequested(request),
      job: async (kind) => {
        const pass = jobs[kind];
        if (!pass) throw new Error(`No handler for ${kind} jobs in this process`);
        await pass();
      },
      schedules: () => this.schedules(),
      ...(observe ? { observe } : {}),
    };
  }

  /** The active connections and the interval now, for the queue to keep their schedules. */
  async schedules(): Promise<{ active: string[]; everyMs: number }> {
    await this.refreshSettings();
    const connections = await this.options.connections.list(this.options.workspace.id);
    return {
      active: connections.filter((c) => c.state === 'active').map((c) => c.id),
      everyMs: this.intervalMs,
    };
  }

  private async runClaimed(
    job: ClaimedJob,
    signal?: AbortSignal,
    connection?: ConnectionView,
  ): Promise<{ outcome: RunOutcome; decision: SyncDecision }> {
    const result = await this.run(job, signal, connection);
    this.onRunFinished?.(job.connectionId, result.outcome);
    return result;
  }

  /** Runs a claimed connection: as read just before its lease was taken, else read here. */
  private async run(
    job: ClaimedJob,
    signal: AbortSignal | undefined,
    known: ConnectionView | undefined,
  ): Promise<{ outcome: RunOutcome; decision: SyncDecision }> {
    const log = this.options.logger.child({ connection: job.connectionId, reason: job.reason });
    await this.refreshSettings();
    let connection: ConnectionView;
    try {
      connection = known ?? (await this.options.connections.get(this.options.workspace.id, job.connectionId));
    } catch {
      // Deleted while queued: its job row went with it, and nothing follows.
      await this.runs.fail(job, 'the connection was deleted', undefined).catch(() => undefined);
      return { outcome: { state: 'busy' }, decision: { state: 'ran', next: undefined } };
    }
    if (connection.state === 'parked') {
      // Asked for while it waits for a person (a request queued before it was parked): it stays parked.
      await this.runs.fail(job, connection.parkedReason ?? 'parked', undefined);
      const reason = connection.parkedReason ?? 'parked';
      return {
        outcome: { state: 'parked', summary: undefined, reason },
        decision: { state: 'ran', next: undefined },
      };
    }
    const lease = new RunLease({ runs: this.runs, job, leaseMs: this.leaseMs, logger: log, signal });
    lease.start();
    try {
      const destination = await this.destination(connection.id);
      const result = await this.engine.run(connection, destination, lease);
      lease.throwIfLost();
      const { nextRetryAt, ...summary } = result;
      const nextAt = Math.min(Date.now() + this.intervalMs, nextRetryAt ?? Number.POSITIVE_INFINITY);
      await this.runs.complete(job, summary);
      log.info({ summary }, 'sync run finished');
      return {
        outcome: { state: 'done', summary },
        decision: { state: 'ran', next: { at: nextAt, reason: 'schedule' } },
      };
    } catch (error) {
      // The job is another process's now: it finishes the work, and this one must not touch the job.
      if (error instanceof LeaseLost || lease.signal.aborted) {
        return { outcome: { state: 'busy' }, decision: { state: 'busy', reason: job.reason } };
      }
      const crmError =
        error instanceof SyncStopped ? error.crmError : error instanceof CrmError ? error : undefined;
      const summary = error instanceof SyncStopped ? error.summary : undefined;
      if (crmError?.kind === 'park') {
        const reason = `${crmError.message} (${crmError.code})`;
        await this.options.connections.park(connection.id, reason);
        this.destinations.delete(connection.id);
        await this.runs.fail(job, reason, summary);
        log.warn({ parkedReason: reason }, 'connection parked: a person must act');
        // Nothing runs until a person acts: "sync now" (or a setup) queues the next run.
        return { outcome: { state: 'parked', summary, reason }, decision: { state: 'ran', next: undefined } };
      }
      const message = crmError ? `${crmError.code}: ${crmError.message}` : String(error);
      const retryAt =
        Date.now() +
        backoffMs(job.attempts, {
          baseMs: this.options.retryBaseMs ?? 5_000,
          maxMs: this.intervalMs,
          retryAfterMs: crmError?.retryAfterMs,
        });
      await this.runs.fail(job, message, summary);
      if (crmError) log.warn({ error: message, retryAt: new Date(retryAt) }, 'sync run stopped; will retry');
      else log.error({ err: error }, 'sync run failed');
      return {
        outcome: { state: 'retrying', summary, error: message, retryAt: new Date(retryAt) },
        decision: { state: 'ran', next: { at: retryAt, reason: 'retry' } },
      };
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
      await this.queue.scheduleSync(connection.id, this.intervalMs);
    }
    await this.queue.requestSync(connection.id, Date.now(), 'sync now');
    return this.jobState(connection.id);
  }

  /** The connection's run history, who runs it now, and its next run. */
  async jobState(connectionId: string): Promise<JobState | undefined> {
    const [history, next] = await Promise.all([
      this.runs.state(connectionId),
      this.queue.nextSync(connectionId),
    ]);
    if (!history && !next) return undefined;
    return {
      connectionId,
      running: undefined,
      attempts: 0,
      lastError: undefined,
      lastStartedAt: undefined,
      lastFinishedAt: undefined,
      lastSuccessAt: undefined,
      lastSummary: undefined,
      ...history,
      runAt: next?.at,
      reason: next?.reason,
    };
  }

  /** The workspace's backfill window in days, as of the last run. */
  get backfillDays(): number {
    return this.backfillDaysNow;
  }

  /** Asks for a run of the connection at `at` (now by default); whichever worker is free takes it. */
  async enqueue(connectionId: string, reason: string, at = Date.now()): Promise<void> {
    await this.queue.requestSync(connectionId, at, reason);
  }

  /** When the connection's next run is due (undefined: none is queued, e.g. a parked connection). */
  async nextRunAt(connectionId: string): Promise<Date | undefined> {
    return (await this.queue.nextSync(connectionId))?.at;
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
      job: await this.jobState(connection.id),
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
