import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type {
  BackgroundJobKind,
  NextRun,
  QueueCounts,
  ReconcileResult,
  SyncDecision,
  WorkHandlers,
  WorkQueue,
} from './queue.js';

export interface SqlWorkQueueOptions {
  /** Longest sleep between looks at the queue (another process on the database may have queued work). */
  pollMs?: number;
  /**
   * How long a taken request stays hidden from other processes before it is due again. The run's
   * lease (SyncRuns) is what keeps a second writer out; this only brings back the request of a
   * process that died between taking it and taking the lease, or during its run.
   */
  claimMs?: number;
}

/**
 * The embedded work queue: each connection's next run is `run_at` on its `sync_jobs` row, so a
 * restart loses nothing, and several processes on one database share it (each takes a due request by
 * compare-and-set). Background jobs stay with their own passes in this process: `addJob` wakes them.
 */
export class SqlWorkQueue implements WorkQueue {
  readonly kind = 'sql' as const;
  /** Wakes this process's pass of a background job kind (the media fetcher, the webhook processor). */
  onJob: ((kind: BackgroundJobKind) => void) | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly pollMs: number;
  private readonly claimMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger: Logger,
    options: SqlWorkQueueOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 2_000;
    this.claimMs = options.claimMs ?? 60_000;
  }

  async requestSync(connectionId: string, at: number, reason: string): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('sync_jobs')
      .values({ connection_id: connectionId, run_at: at, reason, attempts: 0, updated_at: now })
      .onConflict((oc) =>
        oc.column('connection_id').doUpdateSet((eb) => {
          const sooner = eb.or([eb('sync_jobs.run_at', 'is', null), eb('sync_jobs.run_at', '>', at)]);
          return {
            run_at: eb.case().when(sooner).then(at).else(eb.ref('sync_jobs.run_at')).end(),
            reason: eb.case().when(sooner).then(reason).else(eb.ref('sync_jobs.reason')).end(),
            updated_at: now,
          };
        }),
      )
      .execute();
    this.wake();
  }

  /** The next run follows each run (see `start`): only a connection with none queued gets one here. */
  async scheduleSync(connectionId: string, everyMs: number): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('sync_jobs')
      .values({
        connection_id: connectionId,
        run_at: now + everyMs,
        reason: 'schedule',
        attempts: 0,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .column('connection_id')
          .doUpdateSet({ run_at: now + everyMs, reason: 'schedule', updated_at: now })
          .where('sync_jobs.run_at', 'is', null),
      )
      .execute();
    this.wake();
  }

  async unscheduleSync(connectionId: string): Promise<void> {
    await this.db
      .updateTable('sync_jobs')
      .set({ run_at: null, updated_at: Date.now() })
      .where('connection_id', '=', connectionId)
      .execute();
  }

  async dropDue(connectionId: string, now: number): Promise<void> {
    await this.db
      .updateTable('sync_jobs')
      .set({ run_at: null, updated_at: now })
      .where('connection_id', '=', connectionId)
      .where('run_at', '<=', now)
      .execute();
  }

  async nextSync(connectionId: string): Promise<NextRun | undefined> {
    const row = await this.db
      .selectFrom('sync_jobs')
      .select(['run_at', 'reason'])
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    if (row?.run_at === null || row?.run_at === undefined) return undefined;
    return { at: new Date(Number(row.run_at)), reason: row.reason ?? 'schedule' };
  }

  /**
   * Gives every active connection without a row its first run, due now. The interval needs no
   * keeping here: each run sets the next. Parked connections keep their rows (their history).
   */
  async reconcile(active: readonly string[], _everyMs: number): Promise<ReconcileResult> {
    if (active.length === 0) return { added: [], removed: [] };
    const now = Date.now();
    const rows = await this.db
      .insertInto('sync_jobs')
      .values(
        active.map((id) => ({
          connection_id: id,
          run_at: now,
          reason: 'first sync',
          attempts: 0,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.column('connection_id').doNothing())
      .returning('connection_id')
      .execute();
    return { added: rows.map((row) => row.connection_id), removed: [] };
  }

  async addJob(kind: BackgroundJobKind): Promise<void> {
    this.onJob?.(kind);
  }

  start(handlers: WorkHandlers): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.work(handlers);
  }

  /** Stops taking runs and waits for the one in progress to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
  }

  async counts(): Promise<QueueCounts> {
    const now = Date.now();
    const rows = await this.db
      .selectFrom('sync_jobs')
      .innerJoin('crm_connections', 'crm_connections.id', 'sync_jobs.connection_id')
      .select(['sync_jobs.run_at', 'sync_jobs.lease_until'])
      .where('crm_connections.state', '=', 'active')
      .execute();
    const counts: QueueCounts = { waiting: 0, delayed: 0, active: 0 };
    for (const row of rows) {
      if (row.lease_until !== null && Number(row.lease_until) > now) counts.active++;
      else if (row.run_at !== null && Number(row.run_at) <= now) counts.waiting++;
      else if (row.run_at !== null) counts.delayed++;
    }
    return counts;
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('sync_jobs').select('connection_id').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private wake(): void {
    this.wakeUp?.();
  }

  /**
   * One step of the loop: brings the schedules in line, then takes the most overdue request and runs
   * it. Answers the connection run and what was decided, or undefined when nothing was due.
   */
  async runOnce(
    handlers: WorkHandlers,
  ): Promise<{ connectionId: string; decision: SyncDecision } | undefined> {
    const { active, everyMs } = await handlers.schedules();
    await this.reconcile(active, everyMs);
    const taken = await this.takeDue(Date.now());
    if (!taken) return undefined;
    const started = Date.now();
    const decision = await handlers.sync({ connectionId: taken.connectionId, reason: taken.reason });
    await this.settle(taken.connectionId, taken.marker, decision);
    handlers.observe?.({
      kind: 'sync',
      waitedMs: Math.max(0, started - taken.dueAt),
      ranMs: Date.now() - started,
      outcome: decision.state === 'busy' ? 'busy' : 'done',
    });
    return { connectionId: taken.connectionId, decision };
  }

  private async work(handlers: WorkHandlers): Promise<void> {
    while (this.running) {
      try {
        if (await this.runOnce(handlers)) continue;
        const next = await this.nextDue();
        await this.sleep(next === undefined ? this.pollMs : Math.min(this.pollMs, next - Date.now()));
      } catch (error) {
        this.logger.error({ err: error }, 'work queue: could not read the queue');
        await this.sleep(this.pollMs);
      }
    }
  }

  /**
   * Takes the most overdue request of an active connection nobody runs: its `run_at` moves to a
   * marker `claimMs` ahead, so other processes skip it, and it comes due again if this one dies.
   */
  private async takeDue(
    now: number,
  ): Promise<{ connectionId: string; reason: string; dueAt: number; marker: number } | undefined> {
    const due = await this.db
      .selectFrom('sync_jobs')
      .innerJoin('crm_connections', 'crm_connections.id', 'sync_jobs.connection_id')
      .select(['sync_jobs.connection_id', 'sync_jobs.run_at', 'sync_jobs.reason'])
      .where('sync_jobs.run_at', '<=', now)
      .where((eb) => eb.or([eb('sync_jobs.lease_until', 'is', null), eb('sync_jobs.lease_until', '<', now)]))
      .where('crm_connections.state', '=', 'active')
      .orderBy('sync_jobs.run_at')
      .limit(5)
      .execute();
    for (const row of due) {
      const marker = now + this.claimMs;
      const taken = await this.db
        .updateTable('sync_jobs')
        .set({ run_at: marker, updated_at: now })
        .where('connection_id', '=', row.connection_id)
        .where('run_at', '=', row.run_at)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) {
        return {
          connectionId: row.connection_id,
          reason: row.reason ?? 'schedule',
          dueAt: Number(row.run_at),
          marker,
        };
      }
    }
    return undefined;
  }

  /**
   * After the run: the marker gives way to the run's next time. A request that came in meanwhile
   * ("sync now" during the run) replaced the marker and stays, when it is sooner.
   */
  private async settle(connectionId: string, marker: number, decision: SyncDecision): Promise<void> {
    const next =
      decision.state === 'busy' ? { at: Date.now() + this.pollMs, reason: decision.reason } : decision.next;
    const now = Date.now();
    await this.db
      .updateTable('sync_jobs')
      .set((eb) => {
        const ours = eb('run_at', '=', marker);
        if (next === undefined) {
          return { run_at: eb.case().when(ours).then(null).else(eb.ref('run_at')).end(), updated_at: now };
        }
        const replace = eb.or([ours, eb('run_at', 'is', null), eb('run_at', '>', next.at)]);
        return {
          run_at: eb.case().when(replace).then(next.at).else(eb.ref('run_at')).end(),
          reason: eb.case().when(replace).then(next.reason).else(eb.ref('reason')).end(),
          updated_at: now,
        };
      })
      .where('connection_id', '=', connectionId)
      .execute();
  }

  private async nextDue(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('sync_jobs')
      .innerJoin('crm_connections', 'crm_connections.id', 'sync_jobs.connection_id')
      .select((eb) => eb.fn.min<number | string | null>('sync_jobs.run_at').as('next'))
      .where('crm_connections.state', '=', 'active')
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
