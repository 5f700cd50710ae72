import type { Kysely, Selectable } from 'kysely';
import { type Database, readJson, type SyncJobTable } from '../store/schema.js';
import type { ClaimedJob, JobState, RunSummary, SyncQueue } from './queue.js';

/** The embedded work queue: its state is a row per connection in `sync_jobs`. */
export class SqlSyncQueue implements SyncQueue {
  constructor(private readonly db: Kysely<Database>) {}

  async enqueue(connectionId: string, at: number, reason: string): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('sync_jobs')
      .values({ connection_id: connectionId, run_at: at, reason, attempts: 0, updated_at: now })
      .onConflict((oc) =>
        oc.column('connection_id').doUpdateSet((eb) => ({
          run_at: eb
            .case()
            .when(eb.or([eb('sync_jobs.run_at', 'is', null), eb('sync_jobs.run_at', '>', at)]))
            .then(at)
            .else(eb.ref('sync_jobs.run_at'))
            .end(),
          reason: eb
            .case()
            .when(eb.or([eb('sync_jobs.run_at', 'is', null), eb('sync_jobs.run_at', '>', at)]))
            .then(reason)
            .else(eb.ref('sync_jobs.reason'))
            .end(),
          updated_at: now,
        })),
      )
      .execute();
  }

  async claim(
    owner: string,
    now: number,
    leaseMs: number,
    connectionId?: string,
  ): Promise<ClaimedJob | undefined> {
    let query = this.db
      .selectFrom('sync_jobs')
      .innerJoin('crm_connections', 'crm_connections.id', 'sync_jobs.connection_id')
      .select(['sync_jobs.connection_id', 'sync_jobs.run_at', 'sync_jobs.reason', 'sync_jobs.attempts'])
      .where('sync_jobs.run_at', '<=', now)
      .where((eb) => eb.or([eb('sync_jobs.lease_until', 'is', null), eb('sync_jobs.lease_until', '<', now)]))
      .where('crm_connections.state', '=', 'active')
      .orderBy('sync_jobs.run_at')
      .limit(5);
    if (connectionId !== undefined) query = query.where('sync_jobs.connection_id', '=', connectionId);
    const due = await query.execute();
    for (const row of due) {
      // The guard on run_at and the lease makes this a compare-and-set: of two processes claiming
      // the same job, one updates a row and the other none.
      const taken = await this.db
        .updateTable('sync_jobs')
        .set({
          lease_owner: owner,
          lease_until: now + leaseMs,
          run_at: null,
          last_started_at: now,
          updated_at: now,
        })
        .where('connection_id', '=', row.connection_id)
        .where('run_at', '=', row.run_at)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) {
        return {
          connectionId: row.connection_id,
          reason: row.reason ?? 'schedule',
          attempts: row.attempts,
          owner,
          startedAt: now,
        };
      }
    }
    return undefined;
  }

  async extend(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('sync_jobs')
      .set({ lease_until: Date.now() + leaseMs })
      .where('connection_id', '=', job.connectionId)
      .where('lease_owner', '=', job.owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async complete(job: ClaimedJob, summary: RunSummary, nextAt: number): Promise<void> {
    const now = Date.now();
    await this.release(job, {
      attempts: 0,
      last_error: null,
      last_finished_at: now,
      last_success_at: now,
      last_summary: JSON.stringify(summary),
      nextAt,
      reason: 'schedule',
    });
  }

  async fail(
    job: ClaimedJob,
    error: string,
    retryAt: number,
    summary: RunSummary | undefined,
  ): Promise<void> {
    await this.release(job, {
      attempts: job.attempts + 1,
      last_error: error,
      last_finished_at: Date.now(),
      ...(summary ? { last_summary: JSON.stringify(summary) } : {}),
      nextAt: retryAt,
      reason: 'retry',
    });
  }

  /** Gives every active connection without a job its first run, due now. Answers how many. */
  async scheduleNew(now: number): Promise<number> {
    const rows = await this.db
      .insertInto('sync_jobs')
      .columns(['connection_id', 'run_at', 'reason', 'attempts', 'updated_at'])
      .expression((eb) =>
        eb
          .selectFrom('crm_connections')
          .select((s) => [
            'crm_connections.id',
            s.val(now).as('run_at'),
            s.val('first sync').as('reason'),
            s.val(0).as('attempts'),
            s.val(now).as('updated_at'),
          ])
          .where('crm_connections.state', '=', 'active')
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('sync_jobs')
                  .select('sync_jobs.connection_id')
                  .whereRef('sync_jobs.connection_id', '=', 'crm_connections.id'),
              ),
            ),
          ),
      )
      .onConflict((oc) => oc.column('connection_id').doNothing())
      .returning('connection_id')
      .execute();
    return rows.length;
  }

  async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('sync_jobs')
      .innerJoin('crm_connections', 'crm_connections.id', 'sync_jobs.connection_id')
      .select((eb) => eb.fn.min<number | string | null>('sync_jobs.run_at').as('next'))
      .where('crm_connections.state', '=', 'active')
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }

  async state(connectionId: string): Promise<JobState | undefined> {
    const row = await this.db
      .selectFrom('sync_jobs')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    return row && toState(row);
  }

  /** Drops the queued run of a parked connection; the lease (if any) stays with its holder. */
  async unschedule(connectionId: string): Promise<void> {
    await this.db
      .updateTable('sync_jobs')
      .set({ run_at: null, updated_at: Date.now() })
      .where('connection_id', '=', connectionId)
      .execute();
  }

  private async release(
    job: ClaimedJob,
    fields: {
      attempts: number;
      last_error: string | null;
      last_finished_at: number;
      last_success_at?: number;
      last_summary?: string;
      nextAt: number;
      reason: string;
    },
  ): Promise<void> {
    const { nextAt, reason, ...rest } = fields;
    await this.db
      .updateTable('sync_jobs')
      .set((eb) => ({
        ...rest,
        lease_owner: null,
        lease_until: null,
        // A "sync now" that came in while this run went on keeps its earlier time.
        run_at: eb
          .case()
          .when(eb.and([eb('run_at', 'is not', null), eb('run_at', '<', nextAt)]))
          .then(eb.ref('run_at'))
          .else(nextAt)
          .end(),
        reason: eb
          .case()
          .when(eb.and([eb('run_at', 'is not', null), eb('run_at', '<', nextAt)]))
          .then(eb.ref('reason'))
          .else(reason)
          .end(),
        updated_at: Date.now(),
      }))
      .where('connection_id', '=', job.connectionId)
      .where('lease_owner', '=', job.owner)
      .execute();
  }
}

function toState(row: Selectable<SyncJobTable>): JobState {
  const date = (value: number | null) => (value === null ? undefined : new Date(Number(value)));
  return {
    connectionId: row.connection_id,
    runAt: date(row.run_at),
    reason: row.reason ?? undefined,
    running:
      row.lease_owner && row.lease_until && row.lease_until > Date.now()
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
