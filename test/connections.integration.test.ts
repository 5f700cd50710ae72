import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { ConnectionService } from '../src/crms/connections.js';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  type SalesforceSandbox,
} from '../src/sandboxes/salesforce/index.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

describeEachDatabase('CRM connections', (database) => {
  let sandbox: SalesforceSandbox;
  let sandboxUrl: string;
  let h: Harness;

  beforeAll(async () => {
    sandbox = await buildSalesforceSandbox();
    sandboxUrl = await sandbox.listen(0);
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  const connect = (name: string, clientSecret = DEMO_CLIENT.clientSecret) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: {
        kind: 'salesforce',
        name,
        loginUrl: sandboxUrl,
        auth: { flow: 'client_credentials', clientId: DEMO_CLIENT.clientId, clientSecret },
      },
    });

  it('stores a connection with its secret sealed, and never answers with the secret', async () => {
    const created = await connect('Acme org');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      kind: 'salesforce',
      name: 'Acme org',
      state: 'active',
      settings: {
        loginUrl: sandboxUrl,
        apiVersion: '62.0',
        flow: 'client_credentials',
        clientId: DEMO_CLIENT.clientId,
      },
    });
    expect(created.body).not.toContain(DEMO_CLIENT.clientSecret);
    const row = await h.services.store.sql.db
      .selectFrom('crm_connections')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(DEMO_CLIENT.clientSecret);
    expect(row.credentials).toMatch(/^v1:/);

    // Tested as it was saved: signed in, so active, with the org's setup still to do.
    const { test, ...answered } = created.json();
    expect(test).toEqual({ ok: false, problems: [expect.stringContaining('wasync setup salesforce')] });
    const listed = await h.app.inject({ method: 'GET', url: '/api/v1/connections', headers: h.auth });
    expect(listed.json().data).toEqual([answered]);
    expect((await connect('Acme org')).statusCode).toBe(409);
  });

  it('tests a connection, sets the org up, and tests it again', async () => {
    const { id } = (await connect('Acme org')).json();
    const before = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${id}/test`,
      headers: h.auth,
    });
    expect(before.json()).toEqual({
      ok: false,
      problems: [expect.stringContaining('wasync setup salesforce')],
    });

    const setup = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${id}/setup`,
      headers: h.auth,
    });
    expect(setup.statusCode).toBe(200);
    expect(setup.json().created).toContain('WhatsApp_Chat__c');

    const after = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/Acme org/test`,
      headers: h.auth,
    });
    expect(after.json()).toEqual({ ok: true, problems: [] });
  });

  it('says why a connection with a wrong secret cannot be set up', async () => {
    const { id } = (await connect('Wrong', 'not-the-secret')).json();
    const test = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${id}/test`,
      headers: h.auth,
    });
    expect(test.json()).toEqual({
      ok: false,
      problems: [expect.stringContaining('invalid_client')],
      failure: { code: 'invalid_client', message: expect.any(String) },
    });
    const setup = await h.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${id}/setup`,
      headers: h.auth,
    });
    expect(setup.statusCode).toBe(502);
    expect(setup.json().error).toMatchObject({ code: 'crm_refused', details: { crmCode: 'invalid_client' } });
  });

  it('refuses bad input and members, and deletes', async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: {
        kind: 'salesforce',
        name: 'x',
        loginUrl: 'not a url',
        auth: { flow: 'client_credentials', clientId: 'a' },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');

    const member = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: h.auth,
        payload: { name: 'rep', role: 'member' },
      })
    ).json().token;
    const { id } = (await connect('Acme org')).json();
    const asMember = { authorization: `Bearer ${member}` };
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/connections', headers: asMember })).statusCode,
    ).toBe(200);
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/connections/${id}`, headers: asMember }))
        .statusCode,
    ).toBe(403);

    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/connections/${id}`, headers: h.auth }))
        .statusCode,
    ).toBe(204);
    const gone = await h.app.inject({ method: 'GET', url: `/api/v1/connections/${id}`, headers: h.auth });
    expect(gone.statusCode).toBe(404);
  });

  it('stores the refresh token an org rotates, so the next start signs in with the new one', async () => {
    const rotating = await buildSalesforceSandbox({ rotateRefreshTokens: true, customObjectDeployed: true });
    const url = await rotating.listen(0);
    try {
      const minted = (await (
        await fetch(`${url}/__sandbox/refresh-tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).json()) as { refresh_token: string };
      const { workspace, connections } = h.services;
      const connection = await connections.create(workspace.id, {
        kind: 'salesforce',
        name: 'Rotating org',
        loginUrl: url,
        apiVersion: '62.0',
        auth: {
          flow: 'refresh_token',
          clientId: DEMO_CLIENT.clientId,
          clientSecret: DEMO_CLIENT.clientSecret,
          refreshToken: minted.refresh_token,
        },
      });
      const sealed = async () =>
        (await h.services.store.connections.find(workspace.id, connection.id))?.sealedCredentials;
      const before = await sealed();
      expect(await (await connections.destination(workspace.id, connection.id)).test()).toEqual([]);
      // The first refresh spent the minted token; the rotated one was stored before it was used...
      expect(await sealed()).not.toBe(before);
      // ...so a new process (a restart) signs in with it, and the one after that too.
      for (let restart = 0; restart < 2; restart++) {
        const restarted = new ConnectionService(
          h.services.store.connections,
          h.services.secretKey,
          h.services.outbound,
        );
        expect(await (await restarted.destination(workspace.id, connection.id)).test()).toEqual([]);
      }
    } finally {
      await rotating.close();
    }
  });
});
