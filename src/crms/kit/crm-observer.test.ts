import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch } from '../../net/guarded-fetch.js';
import { type CrmCallOutcome, type CrmObserver, observedFetch, observedLimiter } from './crm-observer.js';
import { InProcessRateLimiter } from './rate-limiter.js';

/** What an observer was told, in order. */
function recorder() {
  const told: string[] = [];
  const observer: CrmObserver = {
    callEnded: (c, outcome: CrmCallOutcome, seconds) =>
      told.push(`${c.kind}/${c.connectionId} ${outcome} ${seconds}`),
    slotTaken: (c, seconds) => told.push(`${c.kind}/${c.connectionId} slot ${seconds}`),
    allocationRefused: (c) => told.push(`${c.kind}/${c.connectionId} refused`),
  };
  return { told, observer };
}

const caller = { connectionId: 'c1', kind: 'zoho' };

describe('observedLimiter', () => {
  it('tells the seconds each slot was waited for', async () => {
    let now = 0;
    const limiter = new InProcessRateLimiter(
      { requestsPerSecond: 1 },
      {
        clock: () => now,
        sleep: async (ms) => {
          now += ms;
        },
      },
    );
    const { told, observer } = recorder();
    const observed = observedLimiter(limiter, observer, caller, () => now);
    (await observed.acquire()).release();
    (await observed.acquire()).release();
    expect(told).toEqual(['zoho/c1 slot 0', 'zoho/c1 slot 1']);
  });

  it('tells a refusal of a spent allocation, not a request cut by its signal', async () => {
    const limiter = new InProcessRateLimiter({ concurrency: 1 });
    const { told, observer } = recorder();
    const observed = observedLimiter(limiter, observer, caller, () => 0);
    const held = await observed.acquire();
    const controller = new AbortController();
    const waiting = observed.acquire(controller.signal);
    controller.abort(new Error('lease lost'));
    await expect(waiting).rejects.toThrow('lease lost');
    observed.reportSpent(60_000);
    await expect(observed.acquire()).rejects.toMatchObject({ code: 'DAILY_LIMIT_REACHED' });
    held.release();
    expect(told).toEqual(['zoho/c1 slot 0', 'zoho/c1 refused']);
  });
});

describe('observedFetch', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/slow') return; // never answers
      response.statusCode = Number(request.url?.slice(1)) || 200;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('tells the status class of each answer, a failure without one, and a cancelled request', async () => {
    const guarded = createGuardedFetch({ allow: ['127.0.0.1'] });
    const { told, observer } = recorder();
    const observed = observedFetch(guarded, observer, caller, () => 0);
    expect(observed.allow).toBe(guarded.allow);
    expect((await observed(`${base}/200`)).status).toBe(200);
    expect((await observed(`${base}/429`)).status).toBe(429);
    expect((await observed(`${base}/503`)).status).toBe(503);
    await expect(observed('http://127.0.0.1:1/')).rejects.toThrow();
    const controller = new AbortController();
    const slow = observed(`${base}/slow`, { signal: controller.signal });
    controller.abort();
    await expect(slow).rejects.toThrow();
    expect(told).toEqual([
      'zoho/c1 2xx 0',
      'zoho/c1 4xx 0',
      'zoho/c1 5xx 0',
      'zoho/c1 network_error 0',
      'zoho/c1 cancelled 0',
    ]);
  });
});
