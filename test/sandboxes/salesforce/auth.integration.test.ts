import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_CREDENTIALS, DATA, type SandboxHarness, startSandbox, tokenForm } from './support.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function jwt(payload: Record<string, unknown>, privateKey?: Parameters<typeof sign>[2]): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(payload)}`;
  const signature = privateKey
    ? sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')
    : 'not-a-signature';
  return `${unsigned}.${signature}`;
}

const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

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

  it('JWT bearer: accepts any signature without a registered key, refuses unknown iss and expired exp', async () => {
    h = await startSandbox();
    const grant = (assertion: string) =>
      h.sandbox.app.inject(tokenForm({ grant_type: JWT_GRANT, assertion }));
    const ok = await grant(
      jwt({
        iss: 'wasync-sandbox',
        sub: 'someone@example.com',
        aud: 'https://login.salesforce.com',
        exp: inAMinute(),
      }),
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).not.toHaveProperty('refresh_token');
    expect((await grant(jwt({ iss: 'other-app', exp: inAMinute() }))).json().error).toBe('invalid_client');
    expect((await grant(jwt({ iss: 'wasync-sandbox', exp: 1_000 }))).json().error).toBe('invalid_grant');
    expect((await grant('not.a-jwt')).json().error).toBe('invalid_grant');
  });

  it('JWT bearer: with a registered public key only a valid RS256 signature passes', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    h = await startSandbox({
      clients: [
        {
          clientId: 'jwt-app',
          clientSecret: 's',
          jwtPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      ],
    });
    const grant = (assertion: string) =>
      h.sandbox.app.inject(tokenForm({ grant_type: JWT_GRANT, assertion }));
    const payload = { iss: 'jwt-app', sub: 'u@example.com', exp: inAMinute() };
    expect((await grant(jwt(payload, privateKey))).statusCode).toBe(200);
    expect((await grant(jwt(payload, other.privateKey))).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'invalid assertion',
    });
    expect((await grant(jwt(payload))).json().error).toBe('invalid_grant');
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
