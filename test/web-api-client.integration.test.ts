import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/**
 * The web app's API client (web/src/api.ts, web/src/live-stream.ts) pointed at a wasync server with a
 * token, as the browser extension's pages use it (configureApi): run here in Node against a real
 * listening server. The web sources are typed for the browser bundle, so they are loaded by path and
 * used through the few signatures below.
 */
interface ApiErrorLike extends Error {
  status: number;
  code: string;
}
interface WebApi {
  configureApi(options: { baseUrl?: string; token?: string }): void;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  streamEvents(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    onEvent: (event: string, data: unknown) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  ApiError: abstract new (...args: never[]) => ApiErrorLike;
}
interface WebLiveStream {
  followLiveEvents(
    onEvent: (event: { type: string } & Record<string, unknown>) => void,
    signal: AbortSignal,
    options?: { retryMs?: number; maxRetryMs?: number },
  ): Promise<void>;
}
const WEB_API = '../web/src/api.ts';
const WEB_LIVE_STREAM = '../web/src/live-stream.ts';

let web: WebApi;
let live: WebLiveStream;
beforeAll(async () => {
  web = (await import(/* @vite-ignore */ WEB_API)) as WebApi;
  live = (await import(/* @vite-ignore */ WEB_LIVE_STREAM)) as WebLiveStream;
});
afterAll(() => web.configureApi({}));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(web.ApiError);
      const { status, code } = error as ApiErrorLike;
      return { status, code };
    },
  );

describeEachDatabase('the web API client, configured with a server URL and a token', (database) => {
  let h: Harness;
  let url: string;
  let memberToken: string;
  beforeEach(async () => {
    h = await startHarness(database);
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const made = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'Browser extension', role: 'member' },
    });
    expect(made.statusCode, made.body).toBe(201);
    memberToken = made.json().token;
  });
  afterEach(async () => {
    web.configureApi({});
    await h.close();
  });

  const message = (id: string) => ({
    id,
    chat: { type: 'direct', with: '+5511987654321' },
    timestamp: new Date().toISOString(),
    text: 'Is the blue one in stock?',
  });

  it('calls the configured server with the bearer token, and only then', async () => {
    // Unconfigured, requests go to the page's own origin (`/api/v1/…`), which Node cannot reach.
    expect(await refusal(web.api('GET', '/settings'))).toEqual({ status: 0, code: 'network' });

    // A trailing slash on the URL is no matter; the token signs the requests in, no cookie or CSRF token.
    web.configureApi({ baseUrl: `${url}/`, token: memberToken });
    const settings = await web.api<{ extensionCapture: boolean }>('GET', '/settings');
    expect(settings).toMatchObject({ extensionCapture: false, realTime: true });
    const account = await h.createAccount('+14155550100');
    const stored = await web.api<{ stored: { messages: number } }>(
      'POST',
      `/accounts/${account.id}/messages`,
      { messages: [message('m1')] },
    );
    expect(stored).toMatchObject({ stored: { messages: 1 } });
    // The member token acts as a member: a change for admins is refused with the API's own code.
    expect(await refusal(web.api('PATCH', '/settings', { backfillDays: 1 }))).toEqual({
      status: 403,
      code: 'forbidden',
    });
    web.configureApi({ baseUrl: url, token: h.token });
    expect(await web.api('PATCH', '/settings', { backfillDays: 1 })).toMatchObject({ backfillDays: 1 });

    // Without the token (or with a wrong one) the same server refuses: it was the bearer header.
    web.configureApi({ baseUrl: url });
    expect(await refusal(web.api('GET', '/settings'))).toEqual({ status: 401, code: 'unauthorized' });
    web.configureApi({ baseUrl: url, token: 'wsk_not-a-token' });
    expect(await refusal(web.api('GET', '/settings'))).toEqual({ status: 401, code: 'unauthorized' });

    // Back to the default: the page's origin again.
    web.configureApi({});
    expect(await refusal(web.api('GET', '/settings'))).toEqual({ status: 0, code: 'network' });
  });

  it('streams server-sent events from the configured server with the token', async () => {
    web.configureApi({ baseUrl: url, token: memberToken });
    const account = await h.createAccount('+14155550101');
    const controller = new AbortController();
    const events: { event: string; data: unknown }[] = [];
    const streaming = web.streamEvents(
      'GET',
      '/events',
      undefined,
      (event, data) => events.push({ event, data }),
      controller.signal,
    );
    await expect.poll(() => h.services.live.listeners).toBe(1);
    await h.postMessages(account, [message('m1')]);
    await expect.poll(() => events.map((e) => e.event)).toEqual(['messages']);
    expect(events[0]?.data).toMatchObject({ accountId: account.id });
    controller.abort();
    await streaming.catch(() => undefined);
    await expect.poll(() => h.services.live.listeners).toBe(0);

    web.configureApi({ baseUrl: url, token: 'wsk_not-a-token' });
    expect(await refusal(web.streamEvents('GET', '/events', undefined, () => undefined))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('follows live events with the token (the extension’s live provider), until aborted', async () => {
    web.configureApi({ baseUrl: url, token: memberToken });
    const account = await h.createAccount('+14155550102');
    const controller = new AbortController();
    const seen: ({ type: string } & Record<string, unknown>)[] = [];
    const following = live.followLiveEvents((event) => seen.push(event), controller.signal);
    await expect.poll(() => h.services.live.listeners).toBe(1);
    await h.postMessages(account, [message('m1')]);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toMatchObject({ type: 'messages', accountId: account.id });
    controller.abort();
    await expect(following).resolves.toBeUndefined();
    await expect.poll(() => h.services.live.listeners).toBe(0);

    // A dropped connection (a proxy between them cut) is opened again, and events flow as before.
    const proxy = await cuttableProxy(new URL(url).port);
    try {
      web.configureApi({ baseUrl: proxy.url, token: memberToken });
      const again = new AbortController();
      const following2 = live.followLiveEvents((event) => seen.push(event), again.signal, { retryMs: 20 });
      await expect.poll(() => h.services.live.listeners).toBe(1);
      const before = proxy.accepted();
      proxy.cut();
      // Connected again through a new connection (the stream is the only request).
      await expect.poll(() => proxy.accepted()).toBe(before + 1);
      await expect.poll(() => h.services.live.listeners).toBe(1);
      await h.postMessages(account, [message('m2')]);
      await expect.poll(() => seen.length).toBe(2);
      again.abort();
      await expect(following2).resolves.toBeUndefined();
    } finally {
      await proxy.close();
    }

    // A token the server refuses ends it at once (no retry would help).
    web.configureApi({ baseUrl: url, token: 'wsk_not-a-token' });
    const refused = await refusal(live.followLiveEvents(() => undefined, new AbortController().signal));
    expect(refused).toEqual({ status: 401, code: 'unauthorized' });
  });
});

/** A TCP proxy to the server on `port` whose open connections the test can cut. */
async function cuttableProxy(port: string) {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(Number(port), '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    /** Connections taken so far. */
    accepted: () => accepted,
    cut,
    close: () => {
      cut();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
