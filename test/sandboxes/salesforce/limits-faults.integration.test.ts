import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_CREDENTIALS, DATA, type SandboxHarness, startSandbox, tokenForm } from './support.js';

const CONTACTS = `${DATA}/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`;

describe('Salesforce sandbox: API limits and injected faults', () => {
  let h: SandboxHarness;
  afterEach(() => h.close());

  it('counts API requests in Sforce-Limit-Info and answers 403 REQUEST_LIMIT_EXCEEDED past the daily limit', async () => {
    let now = Date.UTC(2026, 7, 1, 12);
    h = await startSandbox({ dailyRequestLimit: 3, clock: () => now });
    const usage = [];
    for (let i = 0; i < 3; i++) {
      const response = await h.api('GET', CONTACTS);
      expect(response.statusCode).toBe(200);
      usage.push(response.headers['sforce-limit-info']);
    }
    expect(usage).toEqual(['api-usage=1/3', 'api-usage=2/3', 'api-usage=3/3']);
    const refused = await h.api('GET', CONTACTS);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(refused.headers['sforce-limit-info']).toBe('api-usage=3/3');
    // The token endpoint is not an API request: a new session still works, the data call does not.
    expect((await h.sandbox.app.inject(tokenForm(CLIENT_CREDENTIALS))).statusCode).toBe(200);
    // A day later the rolling window has room again (and the old session has long timed out).
    now += 24 * 60 * 60 * 1000;
    const token = (await h.sandbox.app.inject(tokenForm(CLIENT_CREDENTIALS))).json().access_token;
    const nextDay = await h.sandbox.app.inject({
      method: 'GET',
      url: CONTACTS,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(nextDay.headers['sforce-limit-info']).toBe('api-usage=1/3');
  });

  it('answers 414 past 16,384 bytes of URI and 431 past 16,384 bytes of URI and headers, over real HTTP', async () => {
    h = await startSandbox();
    const url = await h.sandbox.listen(0);
    // A query padded with spaces to an exact length of URI; the auth header is the rest of the head.
    const query = (uriBytes: number) => {
      const base = `${DATA}/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`;
      return `${base}${'%20'.repeat(Math.floor((uriBytes - base.length) / 3))}${'+'.repeat((uriBytes - base.length) % 3)}`;
    };
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { headers: { ...h.auth, ...headers } });

    const longUri = await get(query(16_385));
    expect(longUri.status).toBe(414);
    expect(await longUri.text()).toContain('URI Too Long');

    // 12,000 bytes of URI fit; with 4,500 bytes of headers beside them the head does not.
    expect((await get(query(12_000))).status).toBe(200);
    const heavy = await get(query(12_000), { 'x-padding': 'p'.repeat(4_500) });
    expect(heavy.status).toBe(431);
    // The sandbox's own answer, by rule: Node's parser would have closed with an empty body.
    expect(await heavy.text()).toContain('Request Header Fields Too Large');
    // Refused at the door: neither counted against the daily allocation nor handed to a route.
    const counters = (await (await fetch(`${url}/__sandbox/counters`)).json()) as {
      apiUsage: { used: number };
    };
    expect(counters.apiUsage.used).toBe(1);
  });

  it('at fault rate 0 every request is served', async () => {
    h = await startSandbox({ faults: { rate: 0 } });
    for (let i = 0; i < 50; i++) expect((await h.api('GET', CONTACTS)).statusCode).toBe(200);
    const counters = (await h.sandbox.app.inject({ method: 'GET', url: '/__sandbox/counters' })).json();
    expect(counters.faults).toEqual({});
  });

  it('at fault rate 1 answers only 403 (the concurrency limit), 500, 503 or a dropped connection after timeoutMs', async () => {
    h = await startSandbox({ faults: { rate: 1, seed: 7, timeoutMs: 50 } });
    const base = await h.sandbox.listen(0);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const started = Date.now();
      const outcome = await fetch(`${base}${CONTACTS}`, { headers: h.auth }).then(
        (response) => String(response.status),
        () => {
          expect(Date.now() - started).toBeGreaterThanOrEqual(45);
          return 'timeout';
        },
      );
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect([...outcomes.keys()].sort()).toEqual(['403', '500', '503', 'timeout']);
    const counters = (await h.sandbox.app.inject({ method: 'GET', url: '/__sandbox/counters' })).json();
    expect(Object.values(counters.faults as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(40);
    // A hung request must not hold up close().
    void fetch(`${base}${CONTACTS}`, { headers: h.auth }).catch(() => undefined);
  });

  it('the same seed fails the same requests the same way', async () => {
    const run = async () => {
      const local = await startSandbox({
        faults: { rate: 0.5, seed: 42, kinds: ['concurrency', '500', '503'] },
      });
      const statuses = [];
      for (let i = 0; i < 30; i++) statuses.push((await local.api('GET', CONTACTS)).statusCode);
      await local.close();
      return statuses;
    };
    const first = await run();
    expect(first).toContain(200);
    expect(first.some((s) => s !== 200)).toBe(true);
    expect(await run()).toEqual(first);
    h = await startSandbox();
  });

  it('the concurrency fault answers as an org past its concurrent-request limit, not as the daily one', async () => {
    for (const kind of ['concurrency', '429'] as const) {
      const local = await startSandbox({ faults: { rate: 1, kinds: [kind] } });
      const response = await local.api('GET', CONTACTS);
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual([
        {
          message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
          errorCode: 'REQUEST_LIMIT_EXCEEDED',
        },
      ]);
      expect(response.headers['retry-after']).toBeUndefined();
      const counters = (await local.sandbox.app.inject({ method: 'GET', url: '/__sandbox/counters' })).json();
      expect(counters.faults).toEqual({ concurrency: 1 });
      await local.close();
    }
    h = await startSandbox();
  });

  it('never faults the token endpoint, and error bodies keep the Salesforce shape', async () => {
    h = await startSandbox({ faults: { rate: 1, kinds: ['503'] } });
    for (let i = 0; i < 5; i++)
      expect((await h.sandbox.app.inject(tokenForm(CLIENT_CREDENTIALS))).statusCode).toBe(200);
    const response = await h.api('GET', CONTACTS);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual([{ message: 'Server Unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
  });

  it('adds the configured latency', async () => {
    h = await startSandbox({ latencyMs: 80 });
    const started = Date.now();
    await h.api('GET', CONTACTS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});
