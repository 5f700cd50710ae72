import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  type SalesforceSandbox,
} from '../../../src/sandboxes/salesforce/index.js';
import { tokenForm } from './support.js';

const CALLBACK = 'https://wasync.example.com/api/v1/oauth/salesforce/callback';
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** The web server flow with PKCE: the consent page, and the token endpoint's authorization_code grant. */
describe('Salesforce sandbox: web server flow (authorization code with PKCE)', () => {
  let sandbox: SalesforceSandbox;
  let now: number;
  afterEach(() => sandbox.close());

  const start = async (options: Parameters<typeof buildSalesforceSandbox>[0] = {}) => {
    now = Date.now();
    sandbox = await buildSalesforceSandbox({ clock: () => now, ...options });
  };
  const authorize = (params: Record<string, string>) =>
    sandbox.app.inject({
      method: 'GET',
      url: `/services/oauth2/authorize?${new URLSearchParams(params)}`,
    });
  /** Opens the consent page for a fresh verifier, answers it, and returns the redirect. */
  const consent = async (decision: 'allow' | 'deny' = 'allow', extra: Record<string, string> = {}) => {
    const verifier = randomBytes(32).toString('base64url');
    const page = await authorize({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: CALLBACK,
      scope: 'api refresh_token',
      state: 'the-state',
      code_challenge: challengeOf(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('>Allow</button>');
    expect(page.body).toContain('>Deny</button>');
    const ticket = /name="ticket" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const answered = await sandbox.app.inject({
      method: 'POST',
      url: '/services/oauth2/authorize',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ticket, decision }).toString(),
    });
    expect(answered.statusCode).toBe(302);
    const location = new URL(String(answered.headers.location));
    return { verifier, location, code: location.searchParams.get('code') ?? '' };
  };
  const exchange = (fields: Record<string, string>) =>
    sandbox.app.inject(
      tokenForm({
        grant_type: 'authorization_code',
        client_id: DEMO_CLIENT.clientId,
        client_secret: DEMO_CLIENT.clientSecret,
        redirect_uri: CALLBACK,
        ...fields,
      }),
    );

  it('answers Allow with a code and the state, exchanged once for the org token shape with a refresh token', async () => {
    await start();
    const { verifier, location, code } = await consent();
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('the-state');
    const token = await exchange({ code, code_verifier: verifier });
    expect(token.statusCode, token.body).toBe(200);
    const body = token.json();
    expect(Object.keys(body).sort()).toEqual(
      [
        'access_token',
        'id',
        'instance_url',
        'issued_at',
        'refresh_token',
        'scope',
        'signature',
        'token_type',
      ].sort(),
    );
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'api refresh_token' });
    // The refresh token signs in again, as wasync's refresh-token connections do.
    const refreshed = await sandbox.app.inject(
      tokenForm({
        grant_type: 'refresh_token',
        refresh_token: body.refresh_token,
        client_id: DEMO_CLIENT.clientId,
        client_secret: DEMO_CLIENT.clientSecret,
      }),
    );
    expect(refreshed.statusCode).toBe(200);
    // Used once: the same code again is refused.
    const again = await exchange({ code, code_verifier: verifier });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid authorization code' });
  });

  it('refuses a wrong or missing verifier, another redirect_uri, a wrong secret, and an expired code', async () => {
    await start();
    const wrong = await consent();
    const refused = await exchange({
      code: wrong.code,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid code verifier' });
    // The refused attempt spent the code: the right verifier comes too late.
    expect(
      (await exchange({ code: wrong.code, code_verifier: wrong.verifier })).json().error_description,
    ).toBe('invalid authorization code');

    const missing = await consent();
    expect((await exchange({ code: missing.code })).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'invalid code verifier',
    });

    const elsewhere = await consent();
    const redirected = await exchange({
      code: elsewhere.code,
      code_verifier: elsewhere.verifier,
      redirect_uri: 'https://attacker.example.com/callback',
    });
    expect(redirected.json()).toMatchObject({ error: 'invalid_grant' });

    const secret = await consent();
    const badClient = await exchange({
      code: secret.code,
      code_verifier: secret.verifier,
      client_secret: 'nope',
    });
    expect(badClient.statusCode).toBe(400);
    expect(badClient.json().error).toBe('invalid_client');

    const slow = await consent();
    now += 15 * 60_000 + 1;
    expect((await exchange({ code: slow.code, code_verifier: slow.verifier })).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'expired authorization code',
    });
  });

  it('answers Deny with access_denied, and keeps refusals it cannot redirect on its own page', async () => {
    await start({ clients: [{ ...DEMO_CLIENT, callbackUrls: [CALLBACK] }] });
    const denied = await consent('deny');
    expect(Object.fromEntries(denied.location.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'end-user denied authorization',
      state: 'the-state',
    });
    const unknownClient = await authorize({
      response_type: 'code',
      client_id: 'nobody',
      redirect_uri: CALLBACK,
    });
    expect(unknownClient.statusCode).toBe(400);
    expect(unknownClient.body).toContain('invalid_client_id');
    const unregistered = await authorize({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: 'https://attacker.example.com/callback',
    });
    expect(unregistered.statusCode).toBe(400);
    expect(unregistered.body).toContain('redirect_uri_mismatch');
    expect(unregistered.headers.location).toBeUndefined();
    const plain = await authorize({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: CALLBACK,
      code_challenge: challengeOf('x'.repeat(43)),
      code_challenge_method: 'plain',
    });
    expect(plain.statusCode).toBe(302);
    expect(new URL(String(plain.headers.location)).searchParams.get('error')).toBe('invalid_request');
    // A consent page answers once.
    const ticketPage = await authorize({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: CALLBACK,
    });
    const ticket = /name="ticket" value="([^"]+)"/.exec(ticketPage.body)?.[1] ?? '';
    const answer = () =>
      sandbox.app.inject({
        method: 'POST',
        url: '/services/oauth2/authorize',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ticket, decision: 'allow' }).toString(),
      });
    expect((await answer()).statusCode).toBe(302);
    expect((await answer()).statusCode).toBe(400);
  });
});
