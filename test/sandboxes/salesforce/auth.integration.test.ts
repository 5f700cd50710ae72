import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT,
  DEMO_JWT_PRIVATE_KEY_PEM,
  DEMO_USERNAME,
} from '../../../src/sandboxes/salesforce/index.js';
import { CLIENT_CREDENTIALS, DATA, type SandboxHarness, startSandbox, tokenForm } from './support.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const jwtGrant = (h: SandboxHarness, assertion: string) =>
  h.sandbox.app.inject(tokenForm({ grant_type: JWT_GRANT, assertion }));

function jwt(payload: Record<string, unknown>, privateKey?: Parameters<typeof sign>[2]): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(payload)}`;
  const signature = privateKey
    ? sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')
    : 'not-a-signature';
  return `${unsigned}.${signature}`;
}

const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

/** What wasync's adapter sends for the demo client: the seeded user, the production login host. */
const demoClaims = () => ({
  iss: DEMO_CLIENT.clientId,
  sub: DEMO_USERNAME,
  aud: 'https://login.salesforce.com',
  exp: inAMinute(),
});

describe('Salesforce sandbox: OAuth token endpoint and sessions', () => {
  let h: SandboxHarness;
  afterEach(() => h.close());

  it('client credentials returns the org token shape with instance_url taken from the Host header', async () => {
    h = await startSandbox();
    const response = await h.sandbox.app.inject({
      ...tokenForm(CLIENT_CREDENTIALS),
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'acme.sandbox.test:4100' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ instance_url: 'http://acme.sandbox.test:4100', token_type: 'Bearer' });
    expect(body.access_token).toMatch(/^00D[A-Za-z0-9]{12}!AQ/);
    expect(body.id).toMatch(
      /^http:\/\/acme\.sandbox\.test:4100\/id\/00D[A-Za-z0-9]{15}\/005[A-Za-z0-9]{15}$/,
    );
    expect(body.issued_at).toMatch(/^\d{13}$/);
    expect(body.signature).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).not.toHaveProperty('expires_in');
  });

  it('refuses the client-credentials grant at a generic login host, and takes it at the My Domain', async () => {
    h = await startSandbox({ genericLoginHosts: ['login.sandbox.test'] });
    const at = (host: string, fields: Record<string, string>) =>
      h.sandbox.app.inject({
        ...tokenForm(fields),
        headers: { 'content-type': 'application/x-www-form-urlencoded', host },
      });
    const generic = await at('login.sandbox.test:4100', CLIENT_CREDENTIALS);
    expect(generic.statusCode).toBe(400);
    expect(generic.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'request not supported on this domain',
    });
    expect((await at('LOGIN.sandbox.test', CLIENT_CREDENTIALS)).statusCode).toBe(400);
    expect((await at('acme.sandbox.test:4100', CLIENT_CREDENTIALS)).statusCode).toBe(200);
    // Other grants are served at the generic host, as login.salesforce.com serves them.
    const minted = (
      await h.sandbox.app.inject({ method: 'POST', url: '/__sandbox/refresh-tokens', payload: {} })
    ).json().refresh_token;
    const refreshed = await at('login.sandbox.test:4100', {
      ...CLIENT_CREDENTIALS,
      grant_type: 'refresh_token',
      refresh_token: minted,
    });
    expect(refreshed.statusCode).toBe(200);
  });

  it('refuses a wrong secret with invalid_client and an unknown grant with unsupported_grant_type', async () => {
    h = await startSandbox();
    const badSecret = await h.sandbox.app.inject(tokenForm({ ...CLIENT_CREDENTIALS, client_secret: 'nope' }));
    expect(badSecret.statusCode).toBe(400);
    expect(badSecret.json()).toEqual({
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
    const password = await h.sandbox.app.inject(
      tokenForm({ grant_type: 'password', username: 'u', password: 'p' }),
    );
    expect(password.statusCode).toBe(400);
    expect(password.json().error).toBe('unsupported_grant_type');
  });

  it('without rotation, exchanges a minted refresh token for a session and sends no refresh token back; refuses an unknown one', async () => {
    h = await startSandbox();
    const minted = await h.sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/refresh-tokens',
      payload: {},
    });
    const refreshToken = minted.json().refresh_token;
    const refreshed = await h.sandbox.app.inject(
      tokenForm({ ...CLIENT_CREDENTIALS, grant_type: 'refresh_token', refresh_token: refreshToken }),
    );
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).not.toHaveProperty('refresh_token');
    // The same refresh token keeps working: nothing was rotated.
    const again = await h.sandbox.app.inject(
      tokenForm({ ...CLIENT_CREDENTIALS, grant_type: 'refresh_token', refresh_token: refreshToken }),
    );
    expect(again.statusCode).toBe(200);
    const session = { authorization: `Bearer ${refreshed.json().access_token}` };
    expect(
      (await h.sandbox.app.inject({ method: 'GET', url: `${DATA}/limits`, headers: session })).statusCode,
    ).toBe(200);
    const unknown = await h.sandbox.app.inject(
      tokenForm({ ...CLIENT_CREDENTIALS, grant_type: 'refresh_token', refresh_token: '5AepNotIssued' }),
    );
    expect(unknown.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
  });

  it('with rotation, a used refresh token stops working', async () => {
    h = await startSandbox({ rotateRefreshTokens: true });
    const first = (
      await h.sandbox.app.inject({ method: 'POST', url: '/__sandbox/refresh-tokens', payload: {} })
    ).json().refresh_token;
    const refreshed = await h.sandbox.app.inject(
      tokenForm({ ...CLIENT_CREDENTIALS, grant_type: 'refresh_token', refresh_token: first }),
    );
    expect(refreshed.json().refresh_token).not.toBe(first);
    const reused = await h.sandbox.app.inject(
      tokenForm({ ...CLIENT_CREDENTIALS, grant_type: 'refresh_token', refresh_token: first }),
    );
    expect(reused.json().error).toBe('invalid_grant');
  });

  it('JWT bearer: the demo client signs in with the published demo key, as the user its sub names', async () => {
    h = await startSandbox();
    const response = await jwtGrant(h, jwt(demoClaims(), DEMO_JWT_PRIVATE_KEY_PEM));
    expect(response.statusCode).toBe(200);
    expect(response.json()).not.toHaveProperty('refresh_token');
    const userId = (await h.sandbox.app.inject({ method: 'GET', url: '/__sandbox' })).json()
      .integrationUserId;
    expect(response.json().id).toMatch(new RegExp(`/${userId}$`));
  });

  it('JWT bearer: always checks the RS256 signature against the key registered on the app', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    h = await startSandbox({
      clients: [DEMO_CLIENT, { clientId: 'no-certificate', clientSecret: 's' }],
    });
    const invalidAssertion = { error: 'invalid_grant', error_description: 'invalid assertion' };
    for (const assertion of [
      jwt(demoClaims()),
      jwt(demoClaims(), other.privateKey),
      jwt({ ...demoClaims(), iss: 'no-certificate' }, DEMO_JWT_PRIVATE_KEY_PEM),
      'not.a-jwt',
    ]) {
      const refused = await jwtGrant(h, assertion);
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual(invalidAssertion);
    }
  });

  it('JWT bearer: aud must be an audience the org takes (login and its My Domain by default, configurable)', async () => {
    h = await startSandbox();
    const signed = (aud: string) => jwt({ ...demoClaims(), aud }, DEMO_JWT_PRIVATE_KEY_PEM);
    const viaMyDomain = (assertion: string) =>
      h.sandbox.app.inject({
        ...tokenForm({ grant_type: JWT_GRANT, assertion }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'acme.sandbox.test:4100' },
      });
    expect((await viaMyDomain(signed('https://login.salesforce.com'))).statusCode).toBe(200);
    expect((await viaMyDomain(signed('http://acme.sandbox.test:4100'))).statusCode).toBe(200);
    for (const aud of [
      'https://test.salesforce.com',
      'http://other.sandbox.test:4100',
      'login.salesforce.com',
    ]) {
      const refused = await viaMyDomain(signed(aud));
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({ error: 'invalid_grant', error_description: 'audience is invalid' });
    }
    await h.close();

    h = await startSandbox({ jwtAudiences: ['https://test.salesforce.com'] });
    expect((await jwtGrant(h, signed('https://test.salesforce.com'))).statusCode).toBe(200);
    expect((await jwtGrant(h, signed('https://login.salesforce.com'))).json().error_description).toBe(
      'audience is invalid',
    );
  });

  it('JWT bearer: sub must name an active user of the org', async () => {
    h = await startSandbox();
    const [, rep] = await h.seed('User', [
      { Username: 'gone@wasync.sandbox', LastName: 'Gone', Email: 'gone@example.com', IsActive: false },
      { Username: 'rep@wasync.sandbox', LastName: 'Rep', Email: 'rep@example.com' },
    ]);
    const as = (sub: string) => jwtGrant(h, jwt({ ...demoClaims(), sub }, DEMO_JWT_PRIVATE_KEY_PEM));
    expect((await as('nobody@wasync.sandbox')).json()).toEqual({
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    });
    expect((await as('gone@wasync.sandbox')).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'inactive user',
    });
    const signedIn = await as('rep@wasync.sandbox');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().id).toMatch(new RegExp(`/${rep}$`));
  });

  it("JWT bearer: refuses an unknown iss and an expired exp with the org's errors", async () => {
    h = await startSandbox();
    expect(
      (await jwtGrant(h, jwt({ ...demoClaims(), iss: 'other-app' }, DEMO_JWT_PRIVATE_KEY_PEM))).json(),
    ).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
    expect(
      (await jwtGrant(h, jwt({ ...demoClaims(), exp: 1_000 }, DEMO_JWT_PRIVATE_KEY_PEM))).json(),
    ).toEqual({
      error: 'invalid_grant',
      error_description: 'expired authorization code',
    });
  });

  it('lists the demo private key, so a JWT bearer connection needs no key generation', async () => {
    h = await startSandbox();
    const key = await h.sandbox.app.inject({ method: 'GET', url: '/__sandbox/demo-jwt-key' });
    expect(key.statusCode).toBe(200);
    expect(key.body).toBe(DEMO_JWT_PRIVATE_KEY_PEM);
    expect(createPublicKey(key.body).export({ type: 'spki', format: 'pem' })).toBe(
      DEMO_CLIENT.jwtPublicKeyPem,
    );
  });

  it('answers 401 INVALID_SESSION_ID without a token, with a forged one, and once the token expired', async () => {
    let now = 1_700_000_000_000;
    h = await startSandbox({ clock: () => now, tokenTtlMs: 60_000 });
    const expected = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
    const missing = await h.sandbox.app.inject({ method: 'GET', url: `${DATA}/limits` });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual(expected);
    const forged = await h.sandbox.app.inject({
      method: 'GET',
      url: `${DATA}/limits`,
      headers: { authorization: 'Bearer 00Dforged!AQxyz' },
    });
    expect(forged.statusCode).toBe(401);
    expect((await h.api('GET', `${DATA}/limits`)).statusCode).toBe(200);
    now += 60_000;
    const expired = await h.api('GET', `${DATA}/limits`);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual(expected);
  });

  it('expiring all sessions through the inspection route makes the next call 401', async () => {
    h = await startSandbox();
    expect((await h.query('SELECT Id FROM Contact')).statusCode).toBe(200);
    expect((await h.sandbox.app.inject({ method: 'POST', url: '/__sandbox/tokens/expire' })).json()).toEqual({
      expired: 1,
    });
    expect((await h.query('SELECT Id FROM Contact')).statusCode).toBe(401);
  });
});

describe('Salesforce sandbox over real HTTP', () => {
  it('a fetch client logs in at the login URL and follows instance_url to the data API', async () => {
    const h = await startSandbox();
    try {
      const loginUrl = await h.sandbox.listen(0);
      const token = await fetch(`${loginUrl}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams(CLIENT_CREDENTIALS),
      }).then((r) => r.json() as Promise<{ instance_url: string; access_token: string }>);
      expect(token.instance_url).toBe(loginUrl);
      const response = await fetch(
        `${token.instance_url}${DATA}/query/?q=${encodeURIComponent('SELECT Id FROM User')}`,
        {
          headers: { authorization: `Bearer ${token.access_token}` },
        },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.headers.get('sforce-limit-info')).toBe('api-usage=1/100000');
      expect(((await response.json()) as { totalSize: number }).totalSize).toBe(1);
    } finally {
      await h.close();
    }
  });
});
