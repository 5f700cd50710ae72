import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  DEMO_JWT_PRIVATE_KEY_PEM,
  DEMO_USERNAME,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '../src/sandboxes/salesforce/index.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/** What each sign-in flow needs of a connection, through the API, against orgs that check it. */
describeEachDatabase('Salesforce connections: what each sign-in flow needs', (database) => {
  let h: Harness;
  let sandboxes: SalesforceSandbox[];

  beforeEach(async () => {
    sandboxes = [];
    h = await startHarness(database);
  });
  afterEach(async () => {
    await h.close();
    for (const sandbox of sandboxes) await sandbox.close();
  });

  const startOrg = async (options: SalesforceSandboxOptions = {}) => {
    const sandbox = await buildSalesforceSandbox({ customObjectDeployed: true, ...options });
    sandboxes.push(sandbox);
    return sandbox.listen(0);
  };
  const connect = (name: string, loginUrl: string, auth: Record<string, unknown>) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: { kind: 'salesforce', name, loginUrl, auth },
    });
  const test = async (id: string) =>
    (
      await h.app.inject({ method: 'POST', url: `/api/v1/connections/${id}/test`, headers: h.auth })
    ).json() as { ok: boolean; problems: string[]; failure?: { code: string; message: string } };
  const jwtAuth = (extra: Record<string, unknown> = {}) => ({
    flow: 'jwt_bearer',
    clientId: DEMO_CLIENT.clientId,
    username: DEMO_USERNAME,
    privateKeyPem: DEMO_JWT_PRIVATE_KEY_PEM,
    ...extra,
  });

  it('client credentials: refuses login.salesforce.com and test.salesforce.com, and says to use the My Domain URL', async () => {
    const clientCredentials = {
      flow: 'client_credentials',
      clientId: DEMO_CLIENT.clientId,
      clientSecret: DEMO_CLIENT.clientSecret,
    };
    for (const loginUrl of ['https://login.salesforce.com', 'https://TEST.salesforce.com/']) {
      const refused = await connect('Generic host', loginUrl, clientCredentials);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatchObject({
        code: 'validation_failed',
        details: {
          issues: [{ field: 'body.loginUrl', message: expect.stringContaining('My Domain URL') }],
        },
      });
    }
    expect((await connect('My Domain', 'https://acme.my.salesforce.com', clientCredentials)).statusCode).toBe(
      201,
    );
    // The other flows are served at the generic login hosts.
    const refresh = { ...clientCredentials, flow: 'refresh_token', refreshToken: '5Aep-anything' };
    expect((await connect('Refresh', 'https://login.salesforce.com', refresh)).statusCode).toBe(201);
    expect((await connect('JWT', 'https://test.salesforce.com', jwtAuth())).json().settings.audience).toBe(
      'https://test.salesforce.com',
    );
    const listed = await h.app.inject({ method: 'GET', url: '/api/v1/connections', headers: h.auth });
    expect(listed.json().data.map((c: { name: string }) => c.name)).toEqual(['My Domain', 'Refresh', 'JWT']);
  });

  it('JWT bearer signs in with aud https://login.salesforce.com by default, not the login URL', async () => {
    const url = await startOrg({ jwtAudiences: ['https://login.salesforce.com'] });
    const created = await connect('JWT org', url, jwtAuth());
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().settings).toMatchObject({
      flow: 'jwt_bearer',
      username: DEMO_USERNAME,
      audience: 'https://login.salesforce.com',
    });
    expect(await test(created.json().id)).toEqual({ ok: true, problems: [] });
  });

  it('JWT bearer takes the My Domain URL as aud for an app that wants it, and says why without it', async () => {
    const url = await startOrg({ jwtAudiences: ['my-domain'] });
    const byDefault = (await connect('Default aud', url, jwtAuth())).json();
    expect(await test(byDefault.id)).toEqual({
      ok: false,
      problems: [expect.stringContaining('audience is invalid')],
      failure: { code: expect.any(String), message: expect.stringContaining('audience is invalid') },
    });
    const myDomain = await connect('My Domain aud', url, jwtAuth({ audience: url }));
    expect(myDomain.json().settings.audience).toBe(url);
    expect(await test(myDomain.json().id)).toEqual({ ok: true, problems: [] });

    const notAUrl = await connect('Bad aud', url, jwtAuth({ audience: 'login.salesforce.com' }));
    expect(notAUrl.statusCode).toBe(400);
  });
});
