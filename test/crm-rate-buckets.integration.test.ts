import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ConnectionService } from '../src/crms/connections.js';
import type { RateLimiter } from '../src/crms/kit/rate-limiter.js';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { openDatabase, type SqlStore } from '../src/store/database.js';
import { type BucketTake, RateBucketRepository } from '../src/store/repositories/rate-buckets.js';
import { type BucketWorkerInput, takeRounds } from './support/bucket-worker.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const T0 = Date.UTC(2026, 11, 5, 9, 0, 0);
/** A Bitrix24 portal's bucket with headroom taken off: 10 held, 2 a second drained. */
const RULE = { capacity: 10, drainPerSecond: 2 };

/**
 * The request buckets in the store, as two processes see them: each opens the database itself (its
 * own SQLite connection, its own Postgres pool), and both take from one portal's bucket at once.
 * Every take names its time, so what passes is exact whatever order the database runs them in.
 */
describeEachDatabase('CRM rate buckets in the store', (database) => {
  let config: BucketWorkerInput['database'];
  let drop: () => Promise<void>;
  let opened: SqlStore[];
  let first: RateBucketRepository;
  let second: RateBucketRepository;
  beforeEach(async () => {
    const created = await database.create();
    drop = created.drop;
    config = created.config;
    const one = await openDatabase(created.config);
    const two = await openDatabase(created.config, { migrate: false });
    opened = [one, two];
    first = new RateBucketRepository(one.db);
    second = new RateBucketRepository(two.db);
  });
  afterEach(async () => {
    for (const store of opened) await store.close();
    await drop();
  });

  /** `count` takes at `now`, alternating between the two processes, all in flight together. */
  async function burst(key: string, count: number, now: number, rule = RULE): Promise<BucketTake[]> {
    return Promise.all(
      Array.from({ length: count }, (_, i) => (i % 2 === 0 ? first : second).take(key, rule, now)),
    );
  }
  const taken = (answers: BucketTake[]) => answers.filter((answer) => answer.taken).length;

  it('lets through no more than the capacity at once, then what has drained, across processes', async () => {
    const key = 'bitrix24:portal.example';
    const opening = await burst(key, 40, T0);
    expect(taken(opening)).toBe(10);
    // Full: one more fits once one unit has drained, half a second at 2 a second.
    expect(opening.filter((answer) => !answer.taken)).toEqual(
      Array.from({ length: 30 }, () => ({ taken: false, waitMs: 500 })),
    );

    // A second later two units have drained: two pass, whoever asks.
    expect(taken(await burst(key, 40, T0 + 1_000))).toBe(2);
    // A quarter second on, half a unit has drained: not enough, another quarter to wait.
    expect(await first.take(key, RULE, T0 + 1_250)).toEqual({ taken: false, waitMs: 250 });
    expect(await second.take(key, RULE, T0 + 1_500)).toEqual({ taken: true });

    // Over a long run the drain rate is all that passes: a minute of bursts lets 120 through.
    let passed = 0;
    for (let second = 1; second <= 60; second++)
      passed += taken(await burst(key, 8, T0 + 1_500 + second * 1_000));
    expect(passed).toBe(120);
  });

  it('holds between two operating-system processes taking at the same moments', async () => {
    // Every round more takes than the bucket holds, from each process: whatever order the database
    // runs them in, what passes in all is the capacity plus what drained from the first time to the
    // last (a process running ahead moves the bucket's time on; the other's takes then drain nothing).
    const input: BucketWorkerInput = {
      database: config,
      key: 'bitrix24:portal.example',
      rule: RULE,
      // Forty rounds, half a second apart: one unit drains between rounds.
      rounds: Array.from({ length: 40 }, (_, round) => [T0 + round * 500, 30]),
    };
    const worker = spawn(process.execPath, ['--import', 'tsx', 'test/support/bucket-worker.ts'], {
      env: { ...process.env, WASYNC_WORKER_INPUT: JSON.stringify(input) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    const ready = new Promise<void>((resolve) => {
      worker.stdout.on('data', () => {
        if (output.startsWith('ready\n')) resolve();
      });
    });
    await Promise.race([ready, exited.then((code) => Promise.reject(new Error(`worker exited ${code}`)))]);
    worker.stdin.write('go\n');
    const mine = await takeRounds(first, input);
    expect(await exited).toBe(0);
    const theirs = JSON.parse(output.slice('ready\n'.length)) as number[];
    const total = [...mine, ...theirs].reduce((sum, n) => sum + n, 0);
    // 10 held, then one for each of the 39 half seconds after.
    expect(total).toBe(49);
    expect(await first.level(input.key, RULE, T0 + 39 * 500)).toBe(10);
  });

  it('keeps buckets apart by key', async () => {
    expect(taken(await burst('bitrix24:a.example', 12, T0))).toBe(10);
    expect(taken(await burst('bitrix24:b.example', 12, T0))).toBe(10);
  });

  it('drains nothing for a process whose clock lags the bucket, and does not move its time back', async () => {
    const key = 'bitrix24:portal.example';
    expect(taken(await burst(key, 10, T0 + 1_000))).toBe(10);
    // A process a second behind sees the bucket as full, not as drained by its own clock.
    expect(await second.take(key, RULE, T0)).toEqual({ taken: false, waitMs: 500 });
    expect(await first.take(key, RULE, T0 + 1_500)).toEqual({ taken: true });
    expect(await first.level(key, RULE, T0 + 1_500)).toBe(10);
  });

  it('a fill (the CRM refused anyway) makes every process wait, and never lowers the level', async () => {
    const key = 'bitrix24:portal.example';
    expect(taken(await burst(key, 3, T0))).toBe(3);
    await first.fill(key, RULE, T0 + 100);
    expect(await second.take(key, RULE, T0 + 100)).toEqual({ taken: false, waitMs: 500 });
    // Filled past the capacity (the CRM asked for three seconds): both wait those three seconds.
    await second.fill(key, RULE, T0 + 100, RULE.capacity - 1 + 6);
    expect(await first.take(key, RULE, T0 + 100)).toEqual({ taken: false, waitMs: 3_000 });
    await first.fill(key, RULE, T0 + 100);
    expect(await second.take(key, RULE, T0 + 3_099)).toEqual({ taken: false, waitMs: 1 });
    expect(await second.take(key, RULE, T0 + 3_100)).toEqual({ taken: true });
    // A bucket never taken from is filled as asked.
    await first.fill('bitrix24:new.example', RULE, T0);
    expect(await second.level('bitrix24:new.example', RULE, T0)).toBe(10);
  });

  it('drains at a fractional rate', async () => {
    const slow = { capacity: 2, drainPerSecond: 0.5 };
    const key = 'bitrix24:slow.example';
    expect(taken(await burst(key, 4, T0, slow))).toBe(2);
    expect(await first.take(key, slow, T0)).toEqual({ taken: false, waitMs: 2_000 });
    expect(await first.take(key, slow, T0 + 1_999)).toEqual({ taken: false, waitMs: 1 });
    expect(await second.take(key, slow, T0 + 2_000)).toEqual({ taken: true });
  });
});

/**
 * A kind that asks its opened connection for a bucket named by the portal it calls (here the
 * connection's workspace label), as Bitrix24's kind names it by the portal's host.
 */
const BUDGET = { capacity: 4, drainPerSecond: 0.001 };
const buckets = new Map<string, RateLimiter>();
beforeAll(() => {
  const kind = referenceKind(new ReferenceCrm(), { kind: 'bucketcrm' });
  crmRegistry.register({
    ...kind,
    open: (connection) => {
      const portal = String(connection.settings.workspaceLabel);
      buckets.set(connection.id, connection.rateBucket(`bucketcrm:${portal}`, BUDGET));
      return kind.open(connection);
    },
  });
});
afterAll(() => {
  crmRegistry.unregister('bucketcrm');
});

describeEachDatabase("connections' rate buckets", (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database);
    buckets.clear();
  });
  afterEach(async () => {
    await h.close();
  });

  it('two processes and two connections to one portal fill one bucket in the store', async () => {
    const workspaceId = h.services.workspace.id;
    // The server's own service, as `wasync serve` builds it, and a sync worker's beside it.
    const serve = h.services.connections;
    const worker = new ConnectionService(
      h.services.store.connections,
      h.services.secretKey,
      h.services.outbound,
      crmRegistry,
      h.services.store.rateBuckets,
    );
    const connect = async (name: string, portal: string) =>
      (
        await serve.create(workspaceId, {
          kind: 'bucketcrm',
          name,
          workspaceLabel: portal,
          apiKey: 'reference-key',
        })
      ).id;
    const sales = await connect('Sales', 'portal-1');
    const support = await connect('Support', 'portal-1');
    const other = await connect('Other', 'portal-2');
    const limiterOf = async (service: ConnectionService, id: string) => {
      await service.destination(workspaceId, id);
      const limiter = buckets.get(id);
      if (!limiter) throw new Error(`connection ${id} was not opened`);
      buckets.delete(id);
      return limiter;
    };
    const portalOne = [
      await limiterOf(serve, sales),
      await limiterOf(worker, sales),
      await limiterOf(serve, support),
      await limiterOf(worker, support),
    ];
    // One request through each: the portal's bucket is full (4), whichever process and connection.
    for (const limiter of portalOne) (await limiter.acquire()).release();
    const level = await h.services.store.rateBuckets.level('bucketcrm:portal-1', BUDGET, Date.now());
    expect(level).toBeGreaterThan(3.99);
    expect(level).toBeLessThanOrEqual(4);
    // A fifth waits for a unit to drain (some 1,000 seconds at this rate), from any of them.
    for (const limiter of portalOne) {
      const error = await limiter.acquire(AbortSignal.timeout(30)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      // Node's timers give up the sleep with their AbortError, the signal's reason as its cause.
      expect(error).toMatchObject({ name: 'AbortError', cause: { name: 'TimeoutError' } });
    }
    // Another portal's bucket is its own.
    const otherLimiter = await limiterOf(worker, other);
    for (let i = 0; i < 4; i++) (await otherLimiter.acquire()).release();
  });
});
