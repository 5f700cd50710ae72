import { describe, expect, it } from 'vitest';
import { CrmError } from '../types.js';
import { InProcessRateLimiter } from './rate-limiter.js';

/** A clock that moves only when the limiter sleeps (or the test says), so waits are exact. */
function fakeTime(start = Date.parse('2026-12-04T10:00:00Z')) {
  const time = {
    now: start,
    slept: [] as number[],
    clock: () => time.now,
    sleep: async (ms: number) => {
      time.slept.push(ms);
      time.now += ms;
    },
  };
  return time;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('rate limiter', () => {
  it('starts at most N requests in any one second', async () => {
    const time = fakeTime();
    const limiter = new InProcessRateLimiter({ requestsPerSecond: 3 }, time);
    const startedAt: number[] = [];
    for (let i = 0; i < 7; i++) {
      (await limiter.acquire()).release();
      startedAt.push(time.now - Date.parse('2026-12-04T10:00:00Z'));
    }
    expect(startedAt).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it('lets N requests run at once; the next waits for one to end, in order', async () => {
    const limiter = new InProcessRateLimiter({ concurrency: 2 }, fakeTime());
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    const order: string[] = [];
    const c = limiter.acquire().then((slot) => {
      order.push('c');
      return slot;
    });
    const d = limiter.acquire().then((slot) => {
      order.push('d');
      return slot;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    a.release();
    a.release(); // twice is once
    (await c).release();
    expect(order).toEqual(['c']);
    b.release();
    (await d).release();
    expect(order).toEqual(['c', 'd']);
    // All released: two run at once again without waiting.
    await limiter.acquire();
    await limiter.acquire();
  });

  it('a waiting request whose run is cut leaves the queue', async () => {
    const limiter = new InProcessRateLimiter({ concurrency: 1 }, fakeTime());
    const held = await limiter.acquire();
    const cut = new AbortController();
    const waiting = failure(limiter.acquire(cut.signal));
    cut.abort(new Error('lease lost'));
    expect(await waiting).toMatchObject({ message: 'lease lost' });
    held.release();
    (await limiter.acquire()).release();
  });

  it('fails with a retryable error once the daily budget is spent, until its oldest hour leaves the window', async () => {
    const time = fakeTime();
    const limiter = new InProcessRateLimiter({ dailyRequests: 3 }, time);
    (await limiter.acquire()).release();
    time.now += 2 * 60 * 60_000;
    (await limiter.acquire()).release();
    (await limiter.acquire()).release();
    const error = await failure(limiter.acquire());
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({
      kind: 'retryable',
      code: 'DAILY_LIMIT_REACHED',
      retryAfterMs: 23 * 60 * 60_000,
    });
    // The 10:00–11:00 hour leaves the rolling day at 11:00 the next day.
    time.now += 23 * 60 * 60_000;
    (await limiter.acquire()).release();
    await expect(limiter.acquire()).rejects.toBeInstanceOf(CrmError);
  });

  it('stops sending once the CRM refuses a spent allocation, for as long as it says', async () => {
    const time = fakeTime();
    const limiter = new InProcessRateLimiter({ spentRetryMs: 30 * 60_000 }, time);
    // An org may let requests through past its allocation: the report alone stops nothing.
    limiter.reportUsage({ used: 5_010, max: 5_000 });
    (await limiter.acquire()).release();
    limiter.reportSpent();
    time.now += 5 * 60_000;
    expect(await failure(limiter.acquire())).toMatchObject({ kind: 'retryable', retryAfterMs: 25 * 60_000 });
    time.now += 25 * 60_000;
    // The wait is over: one request goes to ask again.
    (await limiter.acquire()).release();
    limiter.reportSpent(60_000);
    expect(await failure(limiter.acquire())).toMatchObject({ retryAfterMs: 60_000 });
    // An answer that reports room lifts the refusal at once.
    limiter.reportUsage({ used: 10, max: 5_000 });
    (await limiter.acquire()).release();
  });

  it('speaks the CRM’s words for a spent allocation', async () => {
    const limiter = new InProcessRateLimiter(
      {},
      {
        spent: (retryAfterMs) =>
          new CrmError({ kind: 'retryable', code: 'REQUEST_LIMIT_EXCEEDED', message: 'spent', retryAfterMs }),
      },
    );
    limiter.reportSpent();
    expect(await failure(limiter.acquire())).toMatchObject({
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 30 * 60_000,
    });
  });
});
