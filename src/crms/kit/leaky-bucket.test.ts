import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeakyBucket } from '../../sandboxes/bitrix24/limits.js';
import { InMemoryBucketStore, inMemoryRateBuckets, LeakyBucketLimiter } from './leaky-bucket.js';

const T0 = Date.parse('2026-12-05T09:00:00Z');
const PORTAL = { capacity: 50, drainPerSecond: 2 };
const KEY = 'bitrix24:portal.example';

/** A clock that moves only when the limiter sleeps, so waits are exact. */
function fakeTime(start = T0) {
  const time = {
    now: start,
    slept: [] as number[],
    clock: () => time.now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      time.slept.push(ms);
      time.now += ms;
    },
  };
  return time;
}

/** The sandbox portal's own bucket (the CRM's rule, cited there), as the judge of what we send. */
function portal(clock: () => number) {
  return new LeakyBucket({ burst: PORTAL.capacity, drainPerSecond: PORTAL.drainPerSecond, clock });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('leaky bucket store (in memory)', () => {
  it('takes up to the capacity, then says how long until one unit has drained', async () => {
    const store = new InMemoryBucketStore();
    for (let i = 0; i < 50; i++) expect(await store.take(KEY, PORTAL, T0)).toEqual({ taken: true });
    expect(await store.take(KEY, PORTAL, T0)).toEqual({ taken: false, waitMs: 500 });
    expect(await store.take(KEY, PORTAL, T0 + 250)).toEqual({ taken: false, waitMs: 250 });
    expect(await store.take(KEY, PORTAL, T0 + 500)).toEqual({ taken: true });
    // A refusal adds nothing: the level is what was taken, drained.
    expect(store.level(KEY, PORTAL, T0 + 500)).toBe(50);
    // A slow drain: half a unit a second is two seconds a unit.
    const slow = { capacity: 1, drainPerSecond: 0.5 };
    expect(await store.take('slow', slow, T0)).toEqual({ taken: true });
    expect(await store.take('slow', slow, T0)).toEqual({ taken: false, waitMs: 2_000 });
  });

  it('fills to the capacity or above, never lowering the level', async () => {
    const store = new InMemoryBucketStore();
    await store.fill(KEY, PORTAL, T0);
    expect(store.level(KEY, PORTAL, T0)).toBe(50);
    await store.fill(KEY, PORTAL, T0, 55);
    await store.fill(KEY, PORTAL, T0);
    expect(store.level(KEY, PORTAL, T0)).toBe(55);
    expect(await store.take(KEY, PORTAL, T0)).toEqual({ taken: false, waitMs: 3_000 });
  });
});

describe('leaky bucket limiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a burst of no more than the capacity through at once, then one per unit drained', async () => {
    const time = fakeTime();
    const judge = portal(time.clock);
    const limiter = new LeakyBucketLimiter(new InMemoryBucketStore(), KEY, PORTAL, time);
    const grantedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 60 }, async () => {
        const slot = await limiter.acquire();
        judge.admit('wasync');
        grantedAt.push(time.now - T0);
        slot.release();
      }),
    );
    expect(grantedAt.filter((at) => at === 0)).toHaveLength(50);
    expect(grantedAt.slice(50)).toEqual([500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
  });

  it('holds the drain rate over a long run, and the portal never refuses', async () => {
    const time = fakeTime();
    const judge = portal(time.clock);
    const limiter = new LeakyBucketLimiter(new InMemoryBucketStore(), KEY, PORTAL, time);
    for (let i = 0; i < 1_000; i++) {
      (await limiter.acquire()).release();
      judge.admit('wasync');
    }
    // 50 at once, the other 950 at 2 a second.
    expect(time.now - T0).toBe(475_000);
    expect(judge.level('wasync')).toBe(50);
  });

  it('shares one bucket between processes: together they stay within it', async () => {
    // Real timers faked: two processes sleep side by side on one clock.
    vi.useFakeTimers({ now: T0 });
    const store = new InMemoryBucketStore();
    const judge = portal(Date.now);
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const processes = [0, 1].map(
      () => new LeakyBucketLimiter(store, KEY, PORTAL, { clock: Date.now, sleep }),
    );
    const grantedAt: number[] = [];
    const done = Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const slot = await (processes[i % 2] as LeakyBucketLimiter).acquire();
        judge.admit('wasync');
        grantedAt.push(Date.now() - T0);
        slot.release();
      }),
    );
    await vi.runAllTimersAsync();
    await done;
    expect(grantedAt.filter((at) => at === 0)).toHaveLength(50);
    // The other hundred at the drain rate, whichever process sent them.
    expect(Math.max(...grantedAt)).toBe(50_000);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const time = fakeTime();
    const limiter = new LeakyBucketLimiter(
      new InMemoryBucketStore(),
      KEY,
      { ...PORTAL, concurrency: 2 },
      time,
    );
    const a = await limiter.acquire();
    await limiter.acquire();
    let third = false;
    const c = limiter.acquire().then((slot) => {
      third = true;
      return slot;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    a.release();
    await c;
    expect(third).toBe(true);
  });

  it('gives up a wait when its signal aborts, and the requests behind it go on', async () => {
    let now = T0;
    const pending: { at: number; resolve: () => void }[] = [];
    const sleep = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        signal?.throwIfAborted();
        pending.push({ at: now + ms, resolve });
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const limiter = new LeakyBucketLimiter(
      new InMemoryBucketStore(),
      KEY,
      { capacity: 1, drainPerSecond: 2, concurrency: 3 },
      { clock: () => now, sleep },
    );
    (await limiter.acquire()).release();
    // The bucket is full: the first waiter sleeps on it, the second waits its turn behind.
    const sleeping = new AbortController();
    const queued = new AbortController();
    const first = failure(limiter.acquire(sleeping.signal));
    const second = failure(limiter.acquire(queued.signal));
    const third = limiter.acquire();
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending).toHaveLength(1);
    queued.abort(new Error('the run was stopped'));
    expect(await second).toEqual(new Error('the run was stopped'));
    sleeping.abort(new Error('shutting down'));
    expect(await first).toEqual(new Error('shutting down'));
    // The third takes its turn: it sleeps the half second a unit drains, then goes.
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending.map((p) => p.at - T0)).toEqual([500, 500]);
    now = T0 + 500;
    pending[1]?.resolve();
    (await third).release();
    // An aborted signal refuses at once.
    expect(await failure(limiter.acquire(AbortSignal.abort(new Error('gone'))))).toEqual(new Error('gone'));
  });

  it('after the CRM refused anyway, every process waits for the filled bucket to drain', async () => {
    const time = fakeTime();
    const store = new InMemoryBucketStore();
    const mine = new LeakyBucketLimiter(store, KEY, PORTAL, time);
    const theirs = new LeakyBucketLimiter(store, KEY, PORTAL, time);
    (await mine.acquire()).release();
    mine.reportSpent();
    (await theirs.acquire()).release();
    // Full: one unit's drain, half a second.
    expect(time.slept).toEqual([500]);
    (await mine.acquire()).release();
    expect(time.slept).toEqual([500, 500]);

    // The CRM named a longer wait: both wait it out.
    mine.reportSpent(3_000);
    (await theirs.acquire()).release();
    expect(time.slept).toEqual([500, 500, 3_000]);
  });

  it('waits out a refusal in this process even when the store could not be told', async () => {
    const time = fakeTime();
    const store = new InMemoryBucketStore();
    const broken = { take: store.take.bind(store), fill: () => Promise.reject(new Error('database gone')) };
    const limiter = new LeakyBucketLimiter(broken, KEY, PORTAL, time);
    (await limiter.acquire()).release();
    limiter.reportSpent(2_000);
    (await limiter.acquire()).release();
    expect(time.slept).toEqual([2_000]);
  });

  it('refuses a bucket that could never let a request through', () => {
    expect(
      () => new LeakyBucketLimiter(new InMemoryBucketStore(), KEY, { capacity: 0, drainPerSecond: 2 }),
    ).toThrow();
    expect(
      () => new LeakyBucketLimiter(new InMemoryBucketStore(), KEY, { capacity: 5, drainPerSecond: 0 }),
    ).toThrow();
  });
});

describe('rate buckets by key', () => {
  it('hands two connections to one portal the same limiter, and another portal its own', async () => {
    const time = fakeTime();
    const buckets = inMemoryRateBuckets(time);
    const budget = { capacity: 2, drainPerSecond: 2 };
    const a = buckets('bitrix24:one.example', budget);
    expect(buckets('bitrix24:one.example', budget)).toBe(a);
    (await a.acquire()).release();
    (await buckets('bitrix24:one.example', budget).acquire()).release();
    (await buckets('bitrix24:two.example', budget).acquire()).release();
    expect(time.slept).toEqual([]);
    (await a.acquire()).release();
    expect(time.slept).toEqual([500]);
  });
});
