import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/index.js';
import { BullWorkQueue } from '../src/sync/bullmq-queue.js';
import type {
  BackgroundJobKind,
  SyncDecision,
  SyncRequest,
  WorkHandlers,
  WorkQueue,
} from '../src/sync/queue.js';
import { SqlWorkQueue } from '../src/sync/sql-queue.js';
import { type TestDatabase, testDatabases } from './support/databases.js';
import { dropPrefix, testRedis, uniquePrefix } from './support/redis.js';

/**
 * One conformance suite for both work queues: the embedded SQL queue (on SQLite and on Postgres) and
 * BullMQ on Redis (scale mode). The handlers here play a worker: they record what was delivered and
 * answer as the sync service does (next run one interval on, sooner for a retry, none when parked).
 */
const logger = pino({ level: 'silent' });
const EVERY_MS = 60_000;

interface QueueUnderTest {
  name: string;
  skipped: string | undefined;
  database: TestDatabase;
  /** A new queue on the shared backing state (a second call: another process). */
  open(store: Store, prefix: string): WorkQueue;
  cleanUp(prefix: string): Promise<void>;
}

function queuesUnderTest(): QueueUnderTest[] {
  const redis = testRedis();
  const all: QueueUnderTest[] = [];
  for (const database of testDatabases()) {
    all.push({
      name: `sql [${database.dialect}]`,
      skipped: database.skipped,
      database,
      open: (store) => new SqlWorkQueue(store.sql.db, logger, { pollMs: 25, claimMs: 5_000 }),
      cleanUp: async () => undefined,
    });
  }
  const postgres = testDatabases().find((d) => d.dialect === 'postgres');
  if (postgres) {
    all.push({
      name: 'bullmq [postgres]',
      skipped: postgres.skipped ?? redis.skipped,
      database: postgres,
      open: (_store, prefix) =>
        new BullWorkQueue({ url: redis.url ?? '', logger, prefix, sweepMs: 200, busyRetryMs: 100 }),
      cleanUp: (prefix) => (redis.url ? dropPrefix(redis.url, prefix) : Promise.resolve()),
    });
  }
  return all;
}

/** A worker's part, recording every delivery; `decide` answers as the sync service would. */
class RecordingWorker {
  readonly runs: { connectionId: string; reason: string; at: number }[] = [];
  readonly jobs: BackgroundJobKind[] = [];
  /** Runs in progress per connection, and the most ever seen at once. */
  private readonly inProgress = new Map<string, number>();
  mostAtOnce = 0;
  active: string[] = [];
  runMs = 0;
  decide: (request: SyncRequest) => SyncDecision = () => ({
    state: 'ran',
    next: { at: Date.now() + EVERY_MS, reason: 'schedule' },
  });

  handlers(): WorkHandlers {
    return {
      sync: async (request) => {
        const now = (this.inProgress.get(request.connectionId) ?? 0) + 1;
        this.inProgress.set(request.connectionId, now);
        this.mostAtOnce = Math.max(this.mostAtOnce, now);
        this.runs.push({ connectionId: request.connectionId, reason: request.reason, at: Date.now() });
        try {
          if (this.runMs > 0) await new Promise((resolve) => setTimeout(resolve, this.runMs));
          return this.decide(request);
        } finally {
          this.inProgress.set(request.connectionId, (this.inProgress.get(request.connectionId) ?? 1) - 1);
        }
      },
      job: async (kind) => {
        this.jobs.push(kind);
      },
      schedules: async () => ({ active: this.active, everyMs: EVERY_MS }),
    };
  }

  runsOf(connectionId: string) {
    return this.runs.filter((run) => run.connectionId === connectionId);
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets the queue go on for a while, to show that nothing more happens. */
const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));

for (const queueKind of queuesUnderTest()) {
  const title = `the work queue: ${queueKind.name}`;
  const suite = queueKind.skipped ? describe.skip : describe;
  suite(queueKind.skipped ? `${title} (skipped: ${queueKind.skipped})` : title, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let dataDir: string;
    let prefix: string;
    let queues: WorkQueue[];
    let connectionIds: string[];

    const open = (worker?: RecordingWorker) => {
      const queue = queueKind.open(store, prefix);
      queues.push(queue);
      if (worker) {
        const handlers = worker.handlers();
        if (queue instanceof SqlWorkQueue) queue.onJob = (kind) => void handlers.job(kind);
        queue.start(handlers);
      }
      return queue;
    };

    beforeEach(async () => {
      const created = await queueKind.database.create();
      drop = created.drop;
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-queue-'));
      store = await openStore({ database: created.config, dataDir });
      prefix = uniquePrefix('queue');
      queues = [];
      const workspace = await store.workspaces.ensureDefault({
        name: 'wasync',
        timeZone: 'UTC',
        defaultRegion: undefined,
      });
      connectionIds = [];
      for (const name of ['North', 'South']) {
        const id = `crm_${name.toLowerCase()}_${prefix.slice(-8)}`;
        await store.connections.create({
          id,
          workspaceId: workspace.id,
          kind: 'salesforce',
          name,
          settings: {},
          sealedCredentials: 'sealed',
        });
        connectionIds.push(id);
      }
    });
    afterEach(async () => {
      for (const queue of queues) await queue.close();
      await queueKind.cleanUp(prefix);
      await store.close();
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('gives each active connection its first run, once, and then keeps its schedule', async () => {
      const [north, south] = connectionIds as [string, string];
      const worker = new RecordingWorker();
      worker.active = [north, south];
      const queue = open(worker);
      await until(
        'both first runs',
        () => worker.runsOf(north).length === 1 && worker.runsOf(south).length === 1,
      );
      expect(worker.runsOf(north)[0]?.reason).toBe('first sync');
      await settle();
      expect(worker.runs).toHaveLength(2);
      const next = await queue.nextSync(north);
      expect(next?.at.getTime()).toBeGreaterThan(Date.now() + EVERY_MS / 2);
      expect(next?.at.getTime()).toBeLessThanOrEqual(Date.now() + EVERY_MS);
    });

    it('runs a request once however often it was asked for, and a sooner request wins', async () => {
      const [north] = connectionIds as [string];
      const producer = open();
      await producer.requestSync(north, Date.now() + 10 * EVERY_MS, 'later');
      expect((await producer.nextSync(north))?.reason).toBe('later');
      await producer.requestSync(north, Date.now(), 'sync now');
      await producer.requestSync(north, Date.now(), 'sync now again');
      await producer.requestSync(north, Date.now() + 5 * EVERY_MS, 'not sooner');
      const next = await producer.nextSync(north);
      expect(next?.reason).toBe('sync now');
      expect(next?.at.getTime()).toBeLessThanOrEqual(Date.now());

      const worker = new RecordingWorker();
      open(worker);
      await until('the run asked for', () => worker.runsOf(north).length === 1);
      await settle();
      expect(worker.runsOf(north).map((run) => run.reason)).toEqual(['sync now']);
    });

    it('runs once more after a run when asked during it, never two runs of a connection at once', async () => {
      const [north] = connectionIds as [string];
      const worker = new RecordingWorker();
      worker.runMs = 300;
      const queue = open(worker);
      await queue.requestSync(north, Date.now(), 'sync now');
      await until('the run to start', () => worker.runsOf(north).length === 1);
      await queue.requestSync(north, Date.now(), 'new messages');
      await queue.requestSync(north, Date.now(), 'new messages');
      await until('the run after it', () => worker.runsOf(north).length === 2);
      await settle(800);
      expect(worker.runsOf(north)).toHaveLength(2);
      expect(worker.runsOf(north)[1]?.reason).toBe('new messages');
      expect(worker.mostAtOnce).toBe(1);
    });

    it('keeps the soonest of the requests made during a run: a later one does not push it back', async () => {
      const [north] = connectionIds as [string];
      const worker = new RecordingWorker();
      worker.runMs = 300;
      const queue = open(worker);
      await queue.requestSync(north, Date.now(), 'sync now');
      await until('the run to start', () => worker.runsOf(north).length === 1);
      // As a finished run's follow-up or a retry does when it lands during the connection's next run.
      await queue.requestSync(north, Date.now(), 'new messages');
      await queue.requestSync(north, Date.now() + 10 * EVERY_MS, 'retry');
      await until('the run after it', () => worker.runsOf(north).length === 2, 3_000);
      expect(worker.runsOf(north)[1]?.reason).toBe('new messages');
      expect(worker.mostAtOnce).toBe(1);
    });

    it('follows what a run decided: a retry sooner than the schedule, nothing more when parked', async () => {
      const [north, south] = connectionIds as [string, string];
      const worker = new RecordingWorker();
      worker.decide = (request) =>
        request.connectionId === north && request.reason !== 'retry'
          ? { state: 'ran', next: { at: Date.now() + 300, reason: 'retry' } }
          : request.connectionId === south
            ? { state: 'ran', next: undefined }
            : { state: 'ran', next: { at: Date.now() + EVERY_MS, reason: 'schedule' } };
      // North is active and scheduled; south is about to be parked by its run.
      worker.active = [north];
      const queue = open(worker);
      await queue.scheduleSync(south, EVERY_MS);
      await queue.requestSync(south, Date.now(), 'sync now');
      await until('the retry', () => worker.runsOf(north).length === 2);
      expect(worker.runsOf(north).map((run) => run.reason)).toEqual(['first sync', 'retry']);
      const [first, retry] = worker.runsOf(north);
      expect((retry?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(250);
      await until('the parked run', () => worker.runsOf(south).length === 1);
      await settle();
      expect(await queue.nextSync(south)).toBeUndefined();
      expect(worker.runsOf(south)).toHaveLength(1);
    });

    it('asks again for a run that found its connection busy', async () => {
      const [north] = connectionIds as [string];
      const worker = new RecordingWorker();
      let busy = 2;
      worker.decide = (request) =>
        busy-- > 0
          ? { state: 'busy', reason: request.reason }
          : { state: 'ran', next: { at: Date.now() + EVERY_MS, reason: 'schedule' } };
      const queue = open(worker);
      await queue.requestSync(north, Date.now(), 'sync now');
      await until('the run once free', () => worker.runsOf(north).length === 3, 15_000);
      expect(worker.runsOf(north).map((run) => run.reason)).toEqual(['sync now', 'sync now', 'sync now']);
    });

    it('hands each request to one of two processes, never both', async () => {
      const [north, south] = connectionIds as [string, string];
      const a = new RecordingWorker();
      const b = new RecordingWorker();
      a.runMs = 50;
      b.runMs = 50;
      open(a);
      open(b);
      const producer = open();
      for (let round = 0; round < 5; round++) {
        await producer.requestSync(north, Date.now(), `round ${round}`);
        await producer.requestSync(south, Date.now(), `round ${round}`);
        await until(
          `round ${round} (ran: ${JSON.stringify([...a.runs, ...b.runs].map((r) => r.reason))})`,
          () => a.runs.length + b.runs.length >= 2 * (round + 1),
        );
      }
      await settle();
      expect(a.runs.length + b.runs.length).toBe(10);
      expect(Math.max(a.mostAtOnce, b.mostAtOnce)).toBe(1);
    }, 60_000);

    it('drops the schedule of a connection no longer active, and a request due when a run started elsewhere', async () => {
      const [north, south] = connectionIds as [string, string];
      const queue = open();
      expect((await queue.reconcile([north, south], EVERY_MS)).added.sort()).toEqual([north, south].sort());
      expect((await queue.reconcile([north, south], EVERY_MS)).added).toEqual([]);
      await queue.dropDue(north, Date.now());
      const next = await queue.nextSync(north);
      expect(next === undefined || next.at.getTime() > Date.now()).toBe(true);
      await queue.unscheduleSync(south);
      expect(await queue.nextSync(south)).toBeUndefined();
    });

    it('delivers background jobs, and counts what waits', async () => {
      const [north] = connectionIds as [string];
      const worker = new RecordingWorker();
      const queue = open(worker);
      await queue.addJob('webhooks');
      await queue.addJob('media');
      await until('both passes', () => worker.jobs.includes('webhooks') && worker.jobs.includes('media'));
      await queue.requestSync(north, Date.now() + 10 * EVERY_MS, 'later');
      const counts = await queue.counts();
      expect(counts.delayed).toBeGreaterThanOrEqual(1);
      await queue.ping();
    });

    it('stops only once the run in progress has finished', async () => {
      const [north] = connectionIds as [string];
      const worker = new RecordingWorker();
      worker.runMs = 300;
      let finished = false;
      const decide = worker.decide;
      worker.decide = (request) => {
        finished = true;
        return decide(request);
      };
      const queue = open(worker);
      await queue.requestSync(north, Date.now(), 'sync now');
      await until('the run to start', () => worker.runs.length === 1);
      await queue.stop();
      expect(finished).toBe(true);
    });
  });
}
