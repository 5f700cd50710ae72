/**
 * The sync work queue: one job per CRM connection, "run this connection's sync at or after this time".
 * Embedded mode keeps the queue's state in the store's SQL database (SqlSyncQueue, sql-queue.ts); scale mode will put a
 * distributed queue behind the same interface. A job is leased while it runs, so two processes never
 * sync one connection at once, and a process that dies simply lets its lease run out.
 */
export interface SyncQueue {
  /** Asks for a run at `at`; a run already asked for sooner stays sooner. */
  enqueue(connectionId: string, at: number, reason: string): Promise<void>;
  /** Leases the most overdue job nobody holds (of one connection, if named); undefined when none is due. */
  claim(owner: string, now: number, leaseMs: number, connectionId?: string): Promise<ClaimedJob | undefined>;
  /** Gives every active connection that has no job yet its first run, due `now`. */
  scheduleNew(now: number): Promise<number>;
  /** Keeps the lease while the run goes on; false when another process has taken it over. */
  extend(job: ClaimedJob, leaseMs: number): Promise<boolean>;
  /** The run finished (whatever it achieved): release the lease and schedule the next run. */
  complete(job: ClaimedJob, summary: RunSummary, nextAt: number): Promise<void>;
  /** The run stopped on an error: release the lease and try again at `retryAt`. */
  fail(job: ClaimedJob, error: string, retryAt: number, summary: RunSummary | undefined): Promise<void>;
  /** Drops the connection's queued run (a parked connection waits for a person). */
  unschedule(connectionId: string): Promise<void>;
  /** When the earliest job is due (undefined when none is queued): the worker sleeps until then. */
  nextDue(): Promise<number | undefined>;
  state(connectionId: string): Promise<JobState | undefined>;
}

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
