import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ConnectionService } from '../src/crms/connections.js';
import { createGuardedFetch } from '../src/net/guarded-fetch.js';
import { textMessage } from './support/batches.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

interface LocalServer {
  port: number;
  /** Paths requested, in order. */
  hits: string[];
  close(): Promise<void>;
}

/**
 * A loopback server: `/secret` stands for an internal service, `/to?url=` redirects, `/photo.jpg` is
 * an ordinary file.
 */
function startServer(): Promise<LocalServer> {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(request.url ?? '');
    const url = new URL(request.url ?? '/', 'http://local');
    if (url.pathname === '/to')
      return response.writeHead(302, { location: url.searchParams.get('url') ?? '/' }).end();
    if (url.pathname === '/photo.jpg')
      return response.writeHead(200, { 'content-type': 'image/jpeg' }).end('jpeg');
    return response.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        hits,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describeEachDatabase('outbound guard: media URLs', (database) => {
  let internal: LocalServer;
  let allowed: LocalServer;
  let h: Harness;
  let accountId: string;

  beforeAll(async () => {
    internal = await startServer();
    allowed = await startServer();
  });
  afterAll(async () => {
    await internal.close();
    await allowed.close();
  });
  beforeEach(async () => {
    // Only the "allowed" server, by name and port, is on the list; the internal one is not.
    h = await startHarness(database, { WASYNC_OUTBOUND_ALLOW: `localhost:${allowed.port}` });
    accountId = (await h.createAccount()).id;
    internal.hits.length = 0;
    allowed.hits.length = 0;
  });
  afterEach(() => h.close());

  /** Ingests one image message with `url`, runs the fetcher, and answers what the API shows of the media. */
  const fetchThrough = async (url: string) => {
    const posted = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${accountId}/messages`,
      headers: h.auth,
      payload: {
        messages: [textMessage({ type: 'image', text: 'look', media: { url, fileName: 'p.jpg' } })],
      },
    });
    expect(posted.statusCode).toBe(200);
    await h.services.mediaFetcher.drain(() => Date.now() + 60_000);
    const [chat] = (await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth })).json().data;
    const [message] = (
      await h.app.inject({ method: 'GET', url: `/api/v1/chats/${chat.id}/messages`, headers: h.auth })
    ).json().data;
    return message.media;
  };

  const refusedCases: [string, () => string, RegExp][] = [
    ['a loopback URL', () => `http://127.0.0.1:${internal.port}/secret`, /plain http is allowed only/],
    ['a loopback URL over https', () => `https://127.0.0.1:${internal.port}/secret`, /local, private/],
    [
      'a redirect from an allow-listed host',
      () =>
        `http://localhost:${allowed.port}/to?url=${encodeURIComponent(`https://127.0.0.1:${internal.port}/secret`)}`,
      /127\.0\.0\.1 is a local, private or reserved address/,
    ],
    [
      'loopback spelled as a decimal number',
      () => `https://2130706433:${internal.port}/secret`,
      /local, private/,
    ],
    [
      'loopback spelled as IPv4-mapped IPv6',
      () => `https://[::ffff:127.0.0.1]:${internal.port}/secret`,
      /local, private/,
    ],
    [
      'a host name that resolves to loopback',
      () => `https://localhost:${internal.port}/secret`,
      /resolves to/,
    ],
    [
      'a URL with a user name and password',
      () => `https://user:pass@localhost:${allowed.port}/photo.jpg`,
      /user name or password/,
    ],
    ['the cloud metadata address', () => 'https://169.254.169.254/latest/meta-data/', /local, private/],
  ];

  for (const [name, url, reason] of refusedCases) {
    it(`refuses ${name}: nothing fetched, nothing stored, the reason on the media`, async () => {
      const media = await fetchThrough(url());
      expect(media).toMatchObject({ state: 'failed', failure: expect.stringMatching(reason) });
      expect(media.failure).toMatch(/url_forbidden|is not allowed/);
      expect(media.failure).not.toContain('pass@');
      expect(media.sha256).toBeUndefined();
      expect(internal.hits).toEqual([]);
      expect(allowed.hits.filter((hit) => hit.includes('photo'))).toEqual([]);
    });
  }

  it('still downloads from an allow-listed host', async () => {
    expect(await fetchThrough(`http://localhost:${allowed.port}/photo.jpg`)).toMatchObject({
      state: 'stored',
      size: 4,
    });
  });
});

describeEachDatabase('outbound guard: vendor base URLs', (database) => {
  let h: Harness;
  let memberAuth: { authorization: string };
  let phoneSeq = 0;

  beforeEach(async () => {
    // One sandbox host:port allow-listed, as an operator running the Cloud API sandbox would.
    h = await startHarness(database, { WASYNC_OUTBOUND_ALLOW: 'localhost:4200' });
    const member = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'rep', role: 'member' },
    });
    memberAuth = { authorization: `Bearer ${member.json().token}` };
  });
  afterEach(() => h.close());

  const createCloudAccount = (headers: { authorization: string }, graphBaseUrl?: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers,
      payload: {
        phone: `+1 415 555 ${String(2000 + ++phoneSeq)}`,
        cloud: {
          phoneNumberId: '1122334455667',
          accessToken: 'EAAG-test-token',
          appSecret: 'app-secret-123',
          ...(graphBaseUrl === undefined ? {} : { graphBaseUrl }),
        },
      },
    });
  const accountCount = async () =>
    (await h.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth })).json().data.length;

  it('lets a member create a Cloud API account only with the default Graph base URL', async () => {
    const refused = await createCloudAccount(memberAuth, 'https://graph.facebook.com');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({
      code: 'forbidden',
      details: { field: 'cloud.graphBaseUrl' },
    });
    expect(await accountCount()).toBe(0);
    const created = await createCloudAccount(memberAuth);
    expect(created.statusCode).toBe(201);
    expect(created.json().cloud.graphBaseUrl).toBe('https://graph.facebook.com');
  });

  it("lets an admin set only Meta's Graph host or an allow-listed one", async () => {
    for (const url of [
      'http://127.0.0.1:4200',
      'http://localhost:4201',
      'https://localhost.evil.example:4200',
      'https://graph.facebook.com.evil.example',
      'http://graph.facebook.com',
      'https://user:pass@graph.facebook.com',
      'http://2130706433:4200',
      'http://[::ffff:127.0.0.1]:4200',
      'https://169.254.169.254',
    ]) {
      const refused = await createCloudAccount(h.auth, url);
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json().error, url).toMatchObject({
        code: 'url_forbidden',
        details: { field: 'cloud.graphBaseUrl' },
      });
    }
    expect(await accountCount()).toBe(0);
    expect((await createCloudAccount(h.auth, 'https://graph.facebook.com/')).statusCode).toBe(201);
    const sandbox = await createCloudAccount(h.auth, 'http://localhost:4200');
    expect(sandbox.statusCode).toBe(201);
    expect(sandbox.json().cloud.graphBaseUrl).toBe('http://localhost:4200');

    const patch = (graphBaseUrl: string) =>
      h.app.inject({
        method: 'PATCH',
        url: `/api/v1/accounts/${sandbox.json().id}/cloud`,
        headers: h.auth,
        payload: { graphBaseUrl },
      });
    expect((await patch('http://127.0.0.1:8080')).json().error.code).toBe('url_forbidden');
    expect((await patch('https://graph.facebook.com')).statusCode).toBe(200);
  });
});

describeEachDatabase('outbound guard: CRM login and instance URLs', (database) => {
  let internal: LocalServer;
  let tokenServer: LocalServer;
  let h: Harness;

  beforeAll(async () => {
    internal = await startServer();
    tokenServer = await startTokenServer(() => `http://127.0.0.1:${internal.port}`);
  });
  afterAll(async () => {
    await internal.close();
    await tokenServer.close();
  });
  beforeEach(async () => {
    h = await startHarness(database, { WASYNC_OUTBOUND_ALLOW: `localhost:${tokenServer.port}` });
    internal.hits.length = 0;
  });
  afterEach(() => h.close());

  const connect = (loginUrl: string, headers = h.auth, name = 'Acme') =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers,
      payload: {
        kind: 'salesforce',
        name,
        loginUrl,
        auth: { flow: 'refresh_token', clientId: 'client', clientSecret: 'secret', refreshToken: 'r' },
      },
    });
  const connectionCount = async () =>
    (await h.app.inject({ method: 'GET', url: '/api/v1/connections', headers: h.auth })).json().data.length;

  it('refuses a member, whatever the login URL', async () => {
    const member = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'rep', role: 'member' },
    });
    const refused = await connect('https://login.salesforce.com', {
      authorization: `Bearer ${member.json().token}`,
    });
    expect(refused.statusCode).toBe(403);
    expect(await connectionCount()).toBe(0);
  });

  it("lets an admin name only Salesforce's hosts or an allow-listed one", async () => {
    for (const url of [
      `http://127.0.0.1:${internal.port}`,
      `https://127.0.0.1:${internal.port}`,
      'http://login.salesforce.com',
      'https://user:pass@login.salesforce.com',
      `http://2130706433:${internal.port}`,
      `http://[::ffff:127.0.0.1]:${internal.port}`,
      'https://login.salesforce.com.evil.example',
      'https://salesforce.com@evil.example',
      'https://169.254.169.254',
    ]) {
      const refused = await connect(url);
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json().error, url).toMatchObject({
        code: 'url_forbidden',
        details: { field: 'loginUrl' },
      });
    }
    expect(await connectionCount()).toBe(0);
    for (const [i, url] of [
      'https://login.salesforce.com',
      'https://test.salesforce.com',
      'https://acme.my.salesforce.com',
      'https://acme--uat.sandbox.my.salesforce.com',
      'https://acme.lightning.force.com',
      `http://localhost:${tokenServer.port}`,
    ].entries())
      expect((await connect(url, h.auth, `org ${i}`)).statusCode, url).toBe(201);
    expect(internal.hits).toEqual([]);
  });

  it('refuses a token answer whose instance URL is not Salesforce, without calling it', async () => {
    const created = await connect(`http://localhost:${tokenServer.port}`);
    expect(created.statusCode).toBe(201);
    const tested = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${created.json().id}/test`,
      headers: h.auth,
    });
    expect(tested.json()).toMatchObject({ ok: false, problems: [expect.stringMatching(/url_forbidden/)] });
    expect(tokenServer.hits).toContain('/services/oauth2/token');
    expect(internal.hits).toEqual([]);
  });

  it('refuses a stored connection whose login URL is no longer allowed, without calling it', async () => {
    const created = await connect(`http://localhost:${tokenServer.port}`);
    expect(created.statusCode).toBe(201);
    // The same store under a server whose operator took the host off the allow-list.
    const strict = new ConnectionService(
      h.services.store.connections,
      h.services.secretKey,
      createGuardedFetch({ allow: [] }),
    );
    tokenServer.hits.length = 0;
    const destination = await strict.destination(h.services.workspace.id, created.json().id);
    expect(await destination.test()).toEqual([
      expect.stringMatching(/plain http is allowed only.*url_forbidden/),
    ]);
    expect(tokenServer.hits).toEqual([]);
  });
});

/** A login server that signs anyone in and names `instanceUrl()` as the org's instance. */
function startTokenServer(instanceUrl: () => string): Promise<LocalServer> {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(request.url ?? '');
    request.resume();
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: 'token', instance_url: instanceUrl(), token_type: 'Bearer' }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        hits,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}
