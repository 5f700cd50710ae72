/**
 * The work queue: when each CRM connection's sync runs, and the background jobs beside it. Two
 * implementations behind one interface:
 * - embedded mode (the default): SqlWorkQueue (sql-queue.ts), its state in the store's own database,
 *   so a restart loses nothing;
 * - scale mode (REDIS_URL set): BullWorkQueue (bullmq-queue.ts), BullMQ on Redis, one job scheduler
 *   per connection at its own interval, "sync now" as a deduplicated job, any number of workers.
 *
 * What the queue does not hold, in either mode: a run's history (attempts, errors, summaries) and the
 * one-writer-per-connection lease. Those stay in SQL (SyncRuns, sync-runs.ts), so that every process
 * agrees on them whatever delivered the job, and a run whose lease is taken over aborts.
 */
export interface WorkQueue {
  readonly kind: 'sql' | 'bullmq';
  /**
   * Asks for a run of the connection at `at` ("sync now", a retry, new messages). Deduplicated: one
   * pending request per connection, and a request already due sooner stays sooner. A request made
   * while the connection's run goes on runs once more after it.
   */
  requestSync(connectionId: string, at: number, reason: string): Promise<void>;
  /**
   * The connection runs every `everyMs` (a new interval replaces the old). Does not itself ask for a
   * run now: a new connection's first run is a `requestSync`.
   */
  scheduleSync(connectionId: string, everyMs: number): Promise<void>;
  /** No run until one is asked for again: a parked or deleted connection. */
  unscheduleSync(connectionId: string): Promise<void>;
  /**
   * A run of the connection starts outside the queue (`wasync sync --once`): a request due by `now`
   * is covered by it and goes; one due later stays.
   */
  dropDue(connectionId: string, now: number): Promise<void>;
  /** The connection's next run, when one is queued. */
  nextSync(connectionId: string): Promise<NextRun | undefined>;
  /**
   * Brings the schedules in line with the active connections: each runs every `everyMs`; one never
   * scheduled before gets its first run now; schedules of connections no longer active go. The
   * safety net behind the explicit calls above (run at each worker's start and every sweep).
   */
  reconcile(active: readonly string[], everyMs: number): Promise<ReconcileResult>;
  /** Queues a background job (deduplicated per kind: one pass picks up everything pending). */
  addJob(kind: BackgroundJobKind): Promise<void>;
  /** Starts delivering due work to `handlers` in this process, until `stop()`. */
  start(handlers: WorkHandlers): void;
  /** Stops taking work and waits for the jobs in progress to finish. */
  stop(): Promise<void>;
  /** Jobs by state, for /metrics. */
  counts(): Promise<QueueCounts>;
  /** Throws when the queue's backing service does not answer (/readyz). */
  ping(): Promise<void>;
  /** Stops and lets go of connections. */
  close(): Promise<void>;
}

/**
 * Background work that a worker does in passes: each pass handles everything pending of its kind
 * (webhook deliveries, media downloads, chat-export imports queued by an API process).
 */
export type BackgroundJobKind = 'webhooks' | 'media' | 'import';

export interface NextRun {
  at: Date;
  reason: string;
}

export interface ReconcileResult {
  /** Connections given their first run now. */
  added: string[];
  /** Schedules dropped (the connection was parked or deleted). */
  removed: string[];
}

export interface QueueCounts {
  /** Jobs due and not yet taken. */
  waiting: number;
  /** Jobs due later (retries, sync requests, the next scheduled runs). */
  delayed: number;
  /** Jobs being worked on now, by any process. */
  active: number;
}

export interface WorkHandlers {
  /** Runs one connection's sync; answers what comes next. */
  sync(request: SyncRequest): Promise<SyncDecision>;
  /** Runs one pass of a background job kind. */
  job(kind: BackgroundJobKind): Promise<void>;
  /** The active connections and the interval, for `reconcile` (each sweep reads them fresh). */
  schedules(): Promise<{ active: string[]; everyMs: number }>;
  /** A job's handling ended: for metrics (seconds from due to start, and the run's own length). */
  observe?(observation: JobObservation): void;
}

export interface JobObservation {
  kind: 'sync' | BackgroundJobKind;
  /** How long the job waited past its due time before it started. */
  waitedMs: number;
  ranMs: number;
  outcome: 'done' | 'failed' | 'busy';
}

export interface SyncRequest {
  connectionId: string;
  reason: string;
  /** Aborts when the queue took the job back (its lock was lost): the run stops as on a lost lease. */
  signal?: AbortSignal;
}

/**
 * What follows a run: `next` is when the connection must run again at the latest (its interval, or
 * sooner for writes to retry), or undefined when nothing runs until a person acts (parked). `busy`:
 * another process holds the connection; the request is kept for when it is free.
 */
export type SyncDecision =
  | { state: 'ran'; next: NextRunRequest | undefined }
  | { state: 'busy'; reason: string };

export interface NextRunRequest {
  at: number;
  reason: string;
}

/** A connection's run, held by one process: the lease that makes it the only writer. */
export interface ClaimedJob {
  connectionId: string;
  reason: string;
  /** Failed runs in a row before this one, for the backoff. */
  attempts: number;
  owner: string;
  startedAt: number;
}

export interface JobState {
  connectionId: string;
  /** When the next run is due; undefined when none is queued (a parked connection). */
  runAt: Date | undefined;
  reason: string | undefined;
  running: { owner: string; until: Date } | undefined;
  attempts: number;
  lastError: string | undefined;
  lastStartedAt: Date | undefined;
  lastFinishedAt: Date | undefined;
  lastSuccessAt: Date | undefined;
  lastSummary: RunSummary | undefined;
}

/** What one run did, for the status screen and `wasync sync --once`. */
export interface RunSummary {
  startedAt: string;
  finishedAt: string;
  /** Chats looked at. */
  chats: number;
  /** Chats with at least one linked record. */
  matched: number;
  unmatched: number;
  /** Links made by phone lookup in this run. */
  linksFound: number;
  /** Day transcripts created or updated in the CRM. */
  transcriptsWritten: number;
  /** Day transcripts rendered but unchanged since the last write. */
  transcriptsUnchanged: number;
  filesUploaded: number;
  /** Writes that failed and wait for a retry, and writes the CRM refused. */
  failed: number;
  rejected: number;
  /** Writes of unknown outcome from an interrupted run, resolved by their external keys. */
  recovered: number;
  /** Set when the run stopped early. */
  stoppedBy: string | undefined;
}
