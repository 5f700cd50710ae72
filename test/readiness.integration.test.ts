import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.js';
import { buildProbeApp } from '../src/server/probe-app.js';
import { readinessChecks } from '../src/server/readiness.js';
import { describePostgres } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from './support/redis.js';

/** A port nothing listens on: one the system handed out, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeWithRedis('/readyz in scale mode', (redisUrl) => {
  describePostgres('checks', (database) => {
    let h: Harness | undefined;
    const prefix = uniquePrefix('ready');
    afterEach(async () => {
      await h?.close();
      h = undefined;
      await dropPrefix(redisUrl, prefix);
    });

    it('answers ready with the database and Redis checked', async () => {
      h = await startHarness(database, { REDIS_URL: redisUrl, WASYNC_REDIS_PREFIX: prefix });
      const response = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', redis: 'ok', queue: 'ok' },
      });
    });

    it('answers 503 not_ready naming Redis when nothing listens at REDIS_URL, within the check timeout', async () => {
      h = await startHarness(database, {
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        WASYNC_REDIS_PREFIX: prefix,
      });
      const started = Date.now();
      const response = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(response.statusCode).toBe(503);
      const { error } = response.json();
      expect(error.code).toBe('not_ready');
      expect(error.message).toMatch(/^Not ready: redis: /);
      expect(error.details.checks.database).toBe('ok');
      expect(error.details.checks.redis).toMatch(/^(Redis is not|no answer within)/);
      // Alive all the same: only readiness depends on Redis.
      expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });
});

describePostgres('/readyz with a role check', (database) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('answers 503 naming a check that never answers, once its time is up, and 200 once it passes', async () => {
    h = await startHarness(database);
    let queueUp = false;
    const app = await buildApp(h.services, {
      logger: false,
      readinessTimeoutMs: 50,
      readiness: [
        {
          name: 'queue',
          check: () => (queueUp ? Promise.resolve() : new Promise<void>(() => undefined)),
        },
      ],
    });
    try {
      const stuck = await app.inject({ method: 'GET', url: '/readyz' });
      expect(stuck.statusCode).toBe(503);
      expect(stuck.json().error.details.checks).toEqual({ database: 'ok', queue: 'no answer within 0.05 s' });
      expect(stuck.json().error.message).toBe('Not ready: queue: no answer within 0.05 s');
      queueUp = true;
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok' } });
    } finally {
      await app.close();
    }
  });

  it("serves a worker's probes apart from the API: health, readiness with the queue, the process's metrics", async () => {
    h = await startHarness(database);
    const probe = await buildProbeApp({
      metrics: h.services.metrics,
      metricsToken: undefined,
      checks: [...readinessChecks(h.services), { name: 'queue', check: async () => undefined }],
    });
    try {
      expect((await probe.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      expect((await probe.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
        status: 'ready',
        checks: { database: 'ok', queue: 'ok' },
      });
      h.services.metrics.queueDepth.set({ queue: 'sync', state: 'waiting' }, 3);
      const metrics = await probe.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('wasync_queue_jobs{queue="sync",state="waiting"} 3');
      const api = await probe.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe('not_found');
    } finally {
      await probe.close();
    }
  });
});
