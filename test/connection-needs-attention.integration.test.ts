import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  DEMO_JWT_PRIVATE_KEY_PEM,
  DEMO_USERNAME,
  type SalesforceSandbox,
} from '../src/sandboxes/salesforce/index.js';
import { startTestBitrix24, type TestBitrix24 } from './support/bitrix24-portal.js';
import { runWasync } from './support/cli.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { runDue } from './support/queue-steps.js';
import { secretKeyEnv } from './support/secret-key.js';
import { startTestZoho, type TestZoho } from './support/zoho-org.js';

interface Saved {
  id: string;
  name: string;
  state: 'active' | 'parked';
  parkedReason?: string;
  test: { ok: boolean; problems: string[]; failure?: { code: string; message: string } };
}

/** A loopback port nothing listens on: the CRM is unreachable there. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Saving a connection tests it: one that cannot sign in (bad credentials of any kind, or the CRM out
 * of reach) is saved as needing attention with the CRM's code and message, and the sync leaves it
 * alone until a test passes. Against the three sandbox CRMs, through the API, the list and `wasync status`.
 */
describeEachDatabase('Saving a CRM connection tests it', (database) => {
  let salesforce: SalesforceSandbox;
  let salesforceUrl: string;
  let zoho: TestZoho;
  let bitrix24: TestBitrix24;
  let h: Harness;

  beforeAll(async () => {
    salesforce = await buildSalesforceSandbox({ customObjectDeployed: true });
    salesforceUrl = await salesforce.listen(0);
    zoho = await startTestZoho();
    bitrix24 = await startTestBitrix24();
  });
  afterAll(async () => {
    await salesforce.close();
    await zoho.close();
    await bitrix24.close();
  });
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  const save = async (body: Record<string, unknown>) => {
    const answer = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: body,
    });
    expect(answer.statusCode, answer.body).toBe(201);
    return answer.json() as Saved;
  };
  const listed = async () =>
    (
      (await h.app.inject({ method: 'GET', url: '/api/v1/connections', headers: h.auth })).json() as {
        data: { name: string; state: string; parkedReason?: string }[];
      }
    ).data.map(({ name, state, parkedReason }) => ({ name, state, parkedReason }));
  const salesforceBody = (name: string, auth: Record<string, unknown>, loginUrl = salesforceUrl) => ({
    kind: 'salesforce',
    name,
    loginUrl,
    auth,
  });
  const clientCredentials = (clientSecret = DEMO_CLIENT.clientSecret) => ({
    flow: 'client_credentials',
    clientId: DEMO_CLIENT.clientId,
    clientSecret,
  });

  /** The saved answer of a connection that needs attention, with the CRM's code and its reason. */
  const expectNeedsAttention = (saved: Saved, code: string) => {
    expect(saved.state).toBe('parked');
    expect(saved.test).toMatchObject({ ok: false, failure: { code, message: expect.any(String) } });
    const { failure } = saved.test;
    expect(saved.parkedReason).toBe(`${failure?.message} (${code})`);
    expect(saved.test.problems).toEqual([saved.parkedReason]);
  };

  it('Salesforce: a wrong secret, JWT key or refresh token needs attention with the org’s reason; the right one is active', async () => {
    expectNeedsAttention(
      await save(salesforceBody('Wrong secret', clientCredentials('nope'))),
      'invalid_client',
    );
    expectNeedsAttention(
      await save(
        salesforceBody('Wrong JWT user', {
          flow: 'jwt_bearer',
          clientId: DEMO_CLIENT.clientId,
          username: 'nobody@example.com',
          privateKeyPem: DEMO_JWT_PRIVATE_KEY_PEM,
        }),
      ),
      'invalid_grant',
    );
    expectNeedsAttention(
      await save(
        salesforceBody('Spent refresh token', {
          ...clientCredentials(),
          flow: 'refresh_token',
          refreshToken: '5Aep-never-issued',
        }),
      ),
      'invalid_grant',
    );
    const good = await save(salesforceBody('Acme org', clientCredentials()));
    expect(good).toMatchObject({ state: 'active', test: { ok: true, problems: [] } });
    expect(good.parkedReason).toBeUndefined();
    const jwt = await save(
      salesforceBody('Acme JWT', {
        flow: 'jwt_bearer',
        clientId: DEMO_CLIENT.clientId,
        username: DEMO_USERNAME,
        privateKeyPem: DEMO_JWT_PRIVATE_KEY_PEM,
      }),
    );
    expect(jwt.state).toBe('active');
    expect((await listed()).map(({ name, state }) => `${name}: ${state}`)).toEqual([
      'Wrong secret: parked',
      'Wrong JWT user: parked',
      'Spent refresh token: parked',
      'Acme org: active',
      'Acme JWT: active',
    ]);
  });

  it('Zoho: a refresh token the accounts server does not know needs attention; a good one is active', async () => {
    const input = zoho.connectionInput('Zoho, bad token') as { auth: Record<string, unknown> };
    const bad = await save({ ...input, auth: { ...input.auth, refreshToken: '1000.not.a.token' } });
    expectNeedsAttention(bad, 'invalid_code');
    expect((await save(zoho.connectionInput('Zoho, good'))).state).toBe('active');
  });

  it('Bitrix24: a wrong webhook secret or refresh token needs attention; the right ones are active', async () => {
    const wrongHook = await save({
      kind: 'bitrix24',
      name: 'Wrong webhook',
      auth: { flow: 'webhook', webhookUrl: bitrix24.webhookUrl.replace(/\/[^/]+\/$/, '/wrongsecret/') },
    });
    expectNeedsAttention(wrongHook, 'INVALID_CREDENTIALS');
    const oauth = (await bitrix24.oauthConnectionInput('Bitrix24 app')) as { auth: Record<string, unknown> };
    const wrongToken = await save({
      ...oauth,
      name: 'Wrong refresh token',
      auth: { ...oauth.auth, refreshToken: 'never-issued' },
    });
    expectNeedsAttention(wrongToken, 'invalid_grant');
    expect((await save(bitrix24.connectionInput('Bitrix24 webhook'))).state).toBe('active');
    expect((await save(oauth)).state).toBe('active');
  });

  it('a CRM out of reach needs attention too, with NETWORK and why; the sync leaves it alone until a test passes', {
    timeout: 60_000,
  }, async () => {
    const port = await closedPort();
    const saved = await save(salesforceBody('Unreachable', clientCredentials(), `http://127.0.0.1:${port}`));
    expectNeedsAttention(saved, 'NETWORK');
    expect(saved.parkedReason).toContain('could not be reached');

    // The scheduler gives it no run, and a run asked for in this process does not go ahead.
    const { sync } = h.services;
    expect(await runDue(sync)).toBeUndefined();
    expect(await sync.runNow(saved.id)).toEqual({
      state: 'parked',
      summary: undefined,
      reason: saved.parkedReason,
    });

    // A test that still cannot reach it keeps it waiting; `wasync status` says so, with the reason.
    const tested = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${saved.id}/test`,
      headers: h.auth,
    });
    expect(tested.json()).toMatchObject({ ok: false, failure: { code: 'NETWORK' } });
    const env = {
      WASYNC_DATA_DIR: h.config.dataDir,
      DATABASE_URL:
        h.config.database.dialect === 'postgres' ? h.config.database.url : `sqlite:${h.config.database.file}`,
      ...secretKeyEnv(h.config.database.dialect),
    };
    // `wasync status` is a process of its own, started from the sources (hence the longer timeout).
    const status = await runWasync(['status'], env);
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain(`CRM connection Unreachable (salesforce): parked: ${saved.parkedReason}`);
    expect(await listed()).toEqual([
      { name: 'Unreachable', state: 'parked', parkedReason: saved.parkedReason },
    ]);
  });

  it('a test that passes clears a connection that needed attention and queues its run', async () => {
    const saved = await save(salesforceBody('Acme org', clientCredentials()));
    // The org refused a sync meanwhile (as the sync parks one): a person fixed it, and tests.
    await h.services.connections.park(saved.id, 'The session expired (INVALID_SESSION_ID)');
    expect(await listed()).toEqual([
      { name: 'Acme org', state: 'parked', parkedReason: 'The session expired (INVALID_SESSION_ID)' },
    ]);
    const tested = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${saved.id}/test`,
      headers: h.auth,
    });
    expect(tested.json()).toEqual({ ok: true, problems: [] });
    expect(await listed()).toEqual([{ name: 'Acme org', state: 'active', parkedReason: undefined }]);
    const job = await h.services.sync.jobState(saved.id);
    expect(job).toMatchObject({ connectionId: saved.id, reason: 'connection tested' });
    expect(job?.runAt?.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('a person’s change clears it: the connection saved again with the right secret is tested, active, and queued', async () => {
    const saved = await save(salesforceBody('Acme org', clientCredentials('nope')));
    expectNeedsAttention(saved, 'invalid_client');
    await save(salesforceBody('Other org', clientCredentials()));
    const put = (body: Record<string, unknown>) =>
      h.app.inject({ method: 'PUT', url: `/api/v1/connections/${saved.id}`, headers: h.auth, payload: body });

    // Still wrong: it still needs attention, with the reason of this test.
    const stillWrong = await put(salesforceBody('Acme org', clientCredentials('still-not-it')));
    expect(stillWrong.statusCode, stillWrong.body).toBe(200);
    expectNeedsAttention(stillWrong.json() as Saved, 'invalid_client');
    // Another kind, or the name of another connection: refused, nothing changed.
    const otherKind = await put({ ...zoho.connectionInput('Acme org') });
    expect(otherKind.statusCode).toBe(400);
    expect(otherKind.json().error.code).toBe('validation_failed');
    const clash = await put(salesforceBody('Other org', clientCredentials()));
    expect(clash.statusCode).toBe(409);
    expect((await listed()).map(({ name, state }) => `${name}: ${state}`)).toEqual([
      'Acme org: parked',
      'Other org: active',
    ]);

    const fixed = await put(salesforceBody('Acme org', clientCredentials()));
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({ id: saved.id, state: 'active', test: { ok: true, problems: [] } });
    expect(fixed.body).not.toContain(DEMO_CLIENT.clientSecret);
    expect((await listed()).map(({ name, state }) => `${name}: ${state}`)).toEqual([
      'Acme org: active',
      'Other org: active',
    ]);
    const job = await h.services.sync.jobState(saved.id);
    expect(job).toMatchObject({ reason: 'connection changed', runAt: expect.any(Date) });
  });
});
