import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

describeEachDatabase('live events (server-sent)', (database) => {
  let h: Harness;
  let url: string;
  let org: TestOrg;
  beforeEach(async () => {
    h = await startHarness(database);
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    org = await startTestOrg();
  });
  afterEach(async () => {
    await h.close();
    await org.close();
  });

  /** Opens the stream and collects its events until `until` is satisfied. */
  const listen = async (headers: Record<string, string>) => {
    const controller = new AbortController();
    const response = await fetch(`${url}/api/v1/events`, { headers, signal: controller.signal });
    const events: { event: string; data: Record<string, unknown> }[] = [];
    let text = '';
    const reading = (async () => {
      const reader = response.body?.getReader();
      if (!reader) return;
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += decoder.decode(value, { stream: true });
          let end = text.indexOf('\n\n');
          while (end >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const event = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
            end = text.indexOf('\n\n');
          }
        }
      } catch {
        // aborted
      }
    })();
    const waitFor = async (predicate: (e: (typeof events)[number]) => boolean) => {
      for (let waited = 0; waited < 10_000; waited += 20) {
        const found = events.find(predicate);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no such event; got ${JSON.stringify(events)}`);
    };
    return { response, events, waitFor, close: () => controller.abort(), reading };
  };

  it('streams stored messages with their chats, and finished sync runs, to a signed-in listener', async () => {
    const stream = await listen(h.auth);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    await expect.poll(() => h.services.live.listeners).toBe(1);

    const account = await h.createAccount('+14155550000');
    const posted = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/messages`,
      headers: h.auth,
      payload: {
        messages: [
          {
            id: 'm1',
            chat: { type: 'direct', with: '+5511987654321' },
            timestamp: new Date().toISOString(),
            text: 'hello',
          },
        ],
      },
    });
    expect(posted.statusCode, posted.body).toBe(200);
    const chats = (await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth })).json().data;
    const messages = await stream.waitFor((e) => e.event === 'messages');
    expect(messages.data).toEqual({ accountId: account.id, chatIds: [chats[0].id] });

    // The same batch again changes nothing, so it is not announced; a reaction is.
    await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/messages`,
      headers: h.auth,
      payload: {
        messages: [
          {
            id: 'm1',
            chat: { type: 'direct', with: '+5511987654321' },
            timestamp: new Date().toISOString(),
            text: 'hello',
          },
          {
            kind: 'reaction',
            id: 'r1',
            target: 'm1',
            emoji: '👍',
            from: '+5511987654321',
            timestamp: new Date().toISOString(),
          },
        ],
      },
    });
    await expect.poll(() => stream.events.filter((e) => e.event === 'messages').length).toBe(2);

    const connection = await h.services.connections.create(h.services.workspace.id, org.connectionInput());
    await h.services.sync.runNow(connection.id);
    const sync = await stream.waitFor((e) => e.event === 'sync');
    expect(sync.data).toMatchObject({ connectionId: connection.id, state: 'done' });

    stream.close();
    await stream.reading;
    await expect.poll(() => h.services.live.listeners).toBe(0);
  });

  it('refuses a listener without a token or session', async () => {
    const response = await fetch(`${url}/api/v1/events`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });
});
