import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../../../src/sandboxes/zoho/index.js';
import { type Answer, json, startZoho, tokenCall, type ZohoHarness } from './support.js';

const REDIRECT = 'https://app.example.test/callback';
let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

/** Opens the consent page and clicks a button, as a person would; answers the redirect target. */
async function consent(url: string, params: Record<string, string>, decision = 'accept'): Promise<URL> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: DEMO_CLIENT.clientId,
    redirect_uri: REDIRECT,
    scope: 'ZohoCRM.modules.ALL',
    state: 's1',
    ...params,
  });
  const page = await fetch(`${url}/oauth/v2/auth?${query}`);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const answer = await fetch(`${url}/oauth/v2/auth`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ticket, decision }).toString(),
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

const exchange = (url: string, code: string, extra: Record<string, string> = {}) =>
  tokenCall(url, {
    grant_type: 'authorization_code',
    client_id: DEMO_CLIENT.clientId,
    client_secret: DEMO_CLIENT.clientSecret,
    redirect_uri: REDIRECT,
    code,
    ...extra,
  });

describe('Zoho sandbox accounts server', () => {
  it('redirects an accepted consent with the code, the data centre and its own accounts server', async () => {
    zoho = await startZoho({ dataCentre: 'eu' });
    const back = await consent(zoho.url, { access_type: 'offline' });
    expect(back.searchParams.get('code')).toMatch(/^1000\./);
    expect(back.searchParams.get('location')).toBe('eu');
    expect(back.searchParams.get('accounts-server')).toBe(zoho.url);
    expect(back.searchParams.get('state')).toBe('s1');
  });

  it('redirects a rejected consent with access_denied', async () => {
    zoho = await startZoho();
    const back = await consent(zoho.url, {}, 'reject');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('refuses the 11th grant token of a client in 10 minutes with access_denied', async () => {
    zoho = await startZoho();
    for (let i = 0; i < 10; i++)
      expect((await consent(zoho.url, {})).searchParams.get('code')).toMatch(/^1000\./);
    const refused = await consent(zoho.url, {});
    expect(refused.searchParams.get('error')).toBe('access_denied');
    zoho.clock.advance(10 * 60 * 1000 + 1);
    expect((await consent(zoho.url, {})).searchParams.get('code')).toMatch(/^1000\./);
  });

  it('answers access_type=offline with a refresh token and api_domain, and online without one', async () => {
    zoho = await startZoho();
    const offline = (await (
      await exchange(
        zoho.url,
        (await consent(zoho.url, { access_type: 'offline' })).searchParams.get('code') ?? '',
      )
    ).json()) as Answer;
    expect(offline).toMatchObject({ api_domain: zoho.url, token_type: 'Bearer', expires_in: 3600 });
    expect(offline.refresh_token).toMatch(/^1000\./);
    const online = (await (
      await exchange(zoho.url, (await consent(zoho.url, {})).searchParams.get('code') ?? '')
    ).json()) as Answer;
    expect(online.access_token).toMatch(/^1000\./);
    expect(online.refresh_token).toBeUndefined();
  });

  it('gives a refresh token for the first offline consent only, then again only with prompt=consent', async () => {
    zoho = await startZoho();
    const refreshTokenOf = async (params: Record<string, string>) =>
      (
        (await (
          await exchange(zoho.url, (await consent(zoho.url, params)).searchParams.get('code') ?? '')
        ).json()) as Answer
      ).refresh_token;
    expect(await refreshTokenOf({ access_type: 'offline' })).toMatch(/^1000\./);
    expect(await refreshTokenOf({ access_type: 'offline' })).toBeUndefined();
    expect(await refreshTokenOf({ access_type: 'offline', prompt: 'consent' })).toMatch(/^1000\./);
  });

  it('takes a PKCE challenge with S256 only, and redeems it with its verifier', async () => {
    zoho = await startZoho();
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    for (const method of [{}, { code_challenge_method: 'plain' }]) {
      const page = await fetch(
        `${zoho.url}/oauth/v2/auth?${new URLSearchParams({
          response_type: 'code',
          client_id: DEMO_CLIENT.clientId,
          redirect_uri: REDIRECT,
          scope: 'ZohoCRM.modules.ALL',
          code_challenge: challenge,
          ...method,
        })}`,
        { redirect: 'manual' },
      );
      expect(page.status).toBe(302);
      expect(new URL(page.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
    }
    const code =
      (
        await consent(zoho.url, { code_challenge: challenge, code_challenge_method: 'S256' })
      ).searchParams.get('code') ?? '';
    expect(await json(exchange(zoho.url, code, { code_verifier: verifier }))).toMatchObject({
      access_token: expect.stringMatching(/^1000\./),
    });
  });

  it('answers token errors as HTTP 200 bodies: a spent code, a wrong secret, a wrong PKCE verifier', async () => {
    zoho = await startZoho();
    const code = (await consent(zoho.url, {})).searchParams.get('code') ?? '';
    expect((await exchange(zoho.url, code)).status).toBe(200);
    const again = await exchange(zoho.url, code);
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({ error: 'invalid_code' });

    const code2 = (await consent(zoho.url, {})).searchParams.get('code') ?? '';
    const wrongSecret = await exchange(zoho.url, code2, { client_secret: 'nope' });
    expect(wrongSecret.status).toBe(200);
    expect(await json(wrongSecret)).toEqual({ error: 'invalid_client' });

    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code3 =
      (
        await consent(zoho.url, { code_challenge: challenge, code_challenge_method: 'S256' })
      ).searchParams.get('code') ?? '';
    expect(await json(exchange(zoho.url, code3, { code_verifier: 'w'.repeat(50) }))).toEqual({
      error: 'invalid_code',
    });
  });

  it('refuses the 11th access token of a refresh token in 10 minutes with Access Denied, then allows again', async () => {
    zoho = await startZoho();
    // startZoho took one already; nine more fill the window.
    for (let i = 0; i < 9; i++) await zoho.accessToken();
    const refused = await tokenCall(zoho.url, {
      grant_type: 'refresh_token',
      client_id: DEMO_CLIENT.clientId,
      client_secret: DEMO_CLIENT.clientSecret,
      refresh_token: zoho.refreshToken,
    });
    expect(refused.status).toBe(200);
    expect(await json(refused)).toMatchObject({ error: 'Access Denied' });
    zoho.clock.advance(10 * 60 * 1000 + 1);
    await expect(zoho.accessToken()).resolves.toMatch(/^1000\./);
  });

  it('evicts the oldest live access token when a refresh token mints its 16th', async () => {
    zoho = await startZoho();
    const first = await zoho.accessToken();
    for (let i = 0; i < 8; i++) await zoho.accessToken(); // 10 live (startZoho's included)
    zoho.clock.advance(11 * 60 * 1000);
    for (let i = 0; i < 5; i++) await zoho.accessToken(); // 15 live
    expect((await zoho.api('GET', '/Contacts/1', undefined, first)).status).toBe(204);
    const sixteenth = await zoho.accessToken();
    // startZoho's token was the oldest; then `first`. One eviction: the harness token is gone.
    expect((await zoho.api('GET', '/Contacts/1')).status).toBe(401);
    expect((await zoho.api('GET', '/Contacts/1', undefined, first)).status).toBe(204);
    expect((await zoho.api('GET', '/Contacts/1', undefined, sixteenth)).status).toBe(204);
  });

  it('answers an expired token, a wrong scheme and no header with 401 in the error envelope', async () => {
    zoho = await startZoho();
    const token = await zoho.accessToken();
    const bearer = await fetch(`${zoho.url}/crm/v8/Contacts/1`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(401);
    expect(await json(bearer)).toEqual({
      code: 'INVALID_TOKEN',
      details: {},
      message: 'invalid oauth token',
      status: 'error',
    });
    const none = await fetch(`${zoho.url}/crm/v8/Contacts/1`);
    expect(none.status).toBe(401);
    expect((await json(none)).code).toBe('AUTHENTICATION_FAILURE');
    zoho.clock.advance(60 * 60 * 1000);
    const expired = await zoho.api('GET', '/Contacts/1', undefined, token);
    expect(expired.status).toBe(401);
    expect((await json(expired)).code).toBe('INVALID_TOKEN');
  });
});
