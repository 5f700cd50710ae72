import { afterEach, beforeEach, expect, it } from 'vitest';
import { describePostgres } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from './support/redis.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

/** A page's stream of /api/v1/events: the events it has heard so far, in order. */
async function openPage(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/events`, { headers, signal: controller.signal });
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const reading = (async () => {
    const reader = response.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    response,
    events,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

describeWithRedis('live events of every process (scale mode)', (redisUrl) => {
  describePostgres('over HTTP', (database) => {
    let prefix: string;
    let api: Harness;
    let worker: Harness;
    let org: TestOrg;
    beforeEach(async () => {
      prefix = uniquePrefix('events');
      const env = { REDIS_URL: redisUrl, WASYNC_REDIS_PREFIX: prefix };
      // Two processes of one install: an API process with the page, another that ingests and syncs.
      api = await startHarness(database, env);
      worker = await startHarness(database, env);
      await Promise.all([api.services.live.listening, worker.services.live.listening]);
      org = await startTestOrg();
    });
    afterEach(async () => {
      await api.close();
      await worker.close();
      await org.close();
      await dropPrefix(redisUrl, prefix);
    });

    it("streams another process's stored messages and sync runs to a page, and a process's own once", async () => {
      const apiUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
      const workerUrl = await worker.app.listen({ port: 0, host: '127.0.0.1' });
      const page = await openPage(apiUrl, api.auth);
      const workerPage = await openPage(workerUrl, worker.auth);
      expect(page.response.status).toBe(200);
      await expect.poll(() => api.services.live.listeners + worker.services.live.listeners).toBe(2);

      const account = await worker.createAccount('+14155550000');
      await worker.postMessages(account, [
        {
          id: 'm1',
          chat: { type: 'direct', with: '+5511987654321' },
          timestamp: new Date().toISOString(),
          text: 'hello',
        },
      ]);
      const connection = await worker.services.connections.create(
        worker.services.workspace.id,
        org.connectionInput(),
      );
      await worker.services.sync.runNow(connection.id);

      const heard = (events: typeof page.events) => events.map((e) => e.event);
      await expect.poll(() => heard(page.events)).toEqual(['messages', 'sync']);
      expect(page.events[0]?.data).toMatchObject({ accountId: account.id });
      expect(page.events[1]?.data).toMatchObject({ connectionId: connection.id, state: 'done' });

      // The API process's own event, after which the worker's copies would have arrived, had any
      // been sent twice: the page hears it once, the worker's page too.
      const own = await api.createAccount('+14155550001');
      await api.postMessages(own, [
        {
          id: 'm2',
          chat: { type: 'direct', with: '+5511987654322' },
          timestamp: new Date().toISOString(),
          text: 'hi',
        },
      ]);
      await expect.poll(() => heard(workerPage.events)).toEqual(['messages', 'sync', 'messages']);
      // A marker from the worker, published once it had the API's event: Redis sends it to the API's
      // process after that event's copy, so by the marker a second copy would have reached the page.
      await worker.services.sync.runNow(connection.id);
      await expect.poll(() => heard(page.events)).toEqual(['messages', 'sync', 'messages', 'sync']);
      expect(page.events[2]?.data).toMatchObject({ accountId: own.id });
      expect(workerPage.events[2]?.data).toMatchObject({ accountId: own.id });
      expect(heard(workerPage.events)).toEqual(['messages', 'sync', 'messages', 'sync']);

      await page.close();
      await workerPage.close();
    });
  });
});
