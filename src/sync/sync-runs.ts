import type { Kysely, Selectable } from 'kysely';
import { type Database, readJson, type SyncJobTable } from '../store/schema.js';
import type { ClaimedJob, JobState, RunSummary } from './queue.js';

/**
 * Each connection's run history and its one-writer lease, a row per connection in `sync_jobs`. Kept
 * in SQL in both modes: whichever queue delivered the job, a run starts only by taking this lease,
 * renews it while it writes, and stops once another process holds it.
 */
export class SyncRuns {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes the connection's lease for `owner` unless another process holds it; undefined when one does.
   * A compare-and-set: of two processes taking the same free lease, one updates the row, the other none.
   */
  async acquire(
    connectionId: string,
    owner: string,
    now: number,
    leaseMs: number,
    reason: string,
  ): Promise<ClaimedJob | undefined> {
    await this.db
      .insertInto('sync_jobs')
      .values({ connection_id: connectionId, run_at: null, reason: null, attempts: 0, updated_at: now })
      .onConflict((oc) => oc.column('connection_id').doNothing())
      .execute();
    // One statement takes the lease and reads the attempts so far (RETURNING, on SQLite and Postgres).
    const taken = await this.db
      .updateTable('sync_jobs')
      .set({ lease_owner: owner, lease_until: now + leaseMs, last_started_at: now, updated_at: now })
      .where('connection_id', '=', connectionId)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returning('attempts')
      .executeTakeFirst();
    if (!taken) return undefined;
    return { connectionId, reason, attempts: taken.attempts, owner, startedAt: now };
  }

  /** Keeps the lease while the run goes on; false when another process has taken it over. */
  async extend(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sync_jobs')
      .set({ lease_until: Date.now() + leaseMs })
      .where('connection_id', '=', job.connectionId)
      .where('lease_owner', '=', job.owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The run finished (whatever it achieved): its summary is kept and the lease let go. */
  async complete(job: ClaimedJob, summary: RunSummary): Promise<void> {
    const now = Date.now();
    await this.release(job, {
      attempts: 0,
      last_error: null,
      last_finished_at: now,
      last_success_at: now,
      last_summary: JSON.stringify(summary),
    });
  }

  /** The run stopped on an error: counted for the backoff, and the lease let go. */
  async fail(job: ClaimedJob, error: string, summary: RunSummary | undefined): Promise<void> {
    await this.release(job, {
      attempts: job.attempts + 1,
      last_error: error,
      last_finished_at: Date.now(),
      ...(summary ? { last_summary: JSON.stringify(summary) } : {}),
    });
  }

  /** The connection's history and who runs it now (the next run is the queue's to say). */
  async state(connectionId: string): Promise<Omit<JobState, 'runAt' | 'reason'> | undefined> {
    const row = await this.db
      .selectFrom('sync_jobs')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    return row && toState(row);
  }

  private async release(
    job: ClaimedJob,
    fields: {
      attempts: number;
      last_error: string | null;
      last_finished_at: number;
      last_success_at?: number;
      last_summary?: string;
    },
  ): Promise<void> {
    await this.db
      .updateTable('sync_jobs')
      .set({ ...fields, lease_owner: null, lease_until: null, updated_at: Date.now() })
      .where('connection_id', '=', job.connectionId)
      .where('lease_owner', '=', job.owner)
      .execute();
  }
}

function toState(row: Selectable<SyncJobTable>): Omit<JobState, 'runAt' | 'reason'> {
  const date = (value: number | null) => (value === null ? undefined : new Date(Number(value)));
  return {
    connectionId: row.connection_id,
    running:
      row.lease_owner && row.lease_until && Number(row.lease_until) > Date.now()
        ? { owner: row.lease_owner, until: new Date(Number(row.lease_until)) }
        : undefined,
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
    lastStartedAt: date(row.last_started_at),
    lastFinishedAt: date(row.last_finished_at),
    lastSuccessAt: date(row.last_success_at),
    lastSummary: row.last_summary === null ? undefined : readJson<RunSummary>(row.last_summary),
  };
}
