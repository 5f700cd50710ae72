import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_APPLICATION } from '../../../src/sandboxes/bitrix24/index.js';
import { type Answer, type Bitrix24Harness, json, postJson, startBitrix24 } from './support.js';

let b24: Bitrix24Harness;
afterEach(async () => b24?.close());

/** Opens the authorize page and clicks a button, as a person would; answers the redirect target. */
async function consent(url: string, decision = 'accept', clientId = DEMO_APPLICATION.clientId): Promise<URL> {
  const page = await fetch(`${url}/oauth/authorize/?client_id=${encodeURIComponent(clientId)}&state=s1`);
  expect(page.headers.get('content-type')).toContain('text/html');
  const ticket = /name="ticket" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const answer = await fetch(`${url}/oauth/authorize/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ticket, decision }).toString(),
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location') ?? '');
}

const token = async (url: string, params: Record<string, string>): Promise<Answer> =>
  json(await fetch(`${url}/oauth/token/?${new URLSearchParams(params)}`));

const byCode = (url: string, code: string) =>
  token(url, {
    grant_type: 'authorization_code',
    client_id: DEMO_APPLICATION.clientId,
    client_secret: DEMO_APPLICATION.clientSecret,
    code,
  });

const byRefresh = (url: string, refreshToken: string) =>
  token(url, {
    grant_type: 'refresh_token',
    client_id: DEMO_APPLICATION.clientId,
    client_secret: DEMO_APPLICATION.clientSecret,
    refresh_token: refreshToken,
  });

describe('Bitrix24 sandbox: a local application over OAuth', () => {
  it('redirects with code, state, domain, member_id, scope, server_domain, and trades the code once', async () => {
    b24 = await startBitrix24({ memberId: 'a223c6b3710f85df22e9377d6c4f7553' });
    const back = await consent(b24.url);
    expect(`${back.origin}${back.pathname}`).toBe(DEMO_APPLICATION.redirectUri);
    const host = new URL(b24.url).host;
    expect(Object.fromEntries(back.searchParams)).toEqual({
      code: expect.stringMatching(/^[a-z0-9]{32}$/),
      state: 's1',
      domain: host,
      member_id: 'a223c6b3710f85df22e9377d6c4f7553',
      scope: 'crm,disk,user',
      server_domain: host,
    });
    const code = back.searchParams.get('code') ?? '';
    const traded = await byCode(b24.url, code);
    expect(traded.status).toBe(200);
    expect(traded.body).toMatchObject({
      expires_in: 3600,
      client_endpoint: `${b24.url}/rest/`,
      server_endpoint: `${b24.url}/oauth/rest/`,
      member_id: 'a223c6b3710f85df22e9377d6c4f7553',
      domain: host,
      scope: 'crm,disk,user',
      user_id: 1,
    });
    expect(traded.body.access_token).toEqual(expect.any(String));
    expect(traded.body.refresh_token).toEqual(expect.any(String));
    expect((await byCode(b24.url, code)).body.error).toBe('invalid_grant');

    const call = await postJson(`${b24.url}/rest/test.echo`, { auth: traded.body.access_token, x: 1 });
    expect(call.status).toBe(200);
    expect((call.body.result as { params: unknown }).params).toEqual({ x: 1 });
    const viaQuery = await json(
      await fetch(`${b24.url}/rest/test.echo.json?auth=${traded.body.access_token}`),
    );
    expect(viaQuery.status).toBe(200);
  });

  it('lets a code live 30 seconds', async () => {
    b24 = await startBitrix24();
    const code = (await consent(b24.url)).searchParams.get('code') ?? '';
    b24.clock.advance(30_000);
    expect(await byCode(b24.url, code)).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
    });
  });

  it('answers a denial and an unknown application', async () => {
    b24 = await startBitrix24();
    const denied = await consent(b24.url, 'deny');
    expect(denied.searchParams.get('error')).toBe('access_denied');
    const page = await fetch(`${b24.url}/oauth/authorize/?client_id=app.unknown`);
    expect(page.status).toBe(400);
  });

  it('refuses a wrong secret and a wrong grant type', async () => {
    b24 = await startBitrix24();
    const code = (await consent(b24.url)).searchParams.get('code') ?? '';
    const wrongSecret = await token(b24.url, {
      grant_type: 'authorization_code',
      client_id: DEMO_APPLICATION.clientId,
      client_secret: 'nope',
      code,
    });
    expect(wrongSecret.body.error).toBe('invalid_client');
    expect((await token(b24.url, { grant_type: 'password' })).body.error).toBe('invalid_request');
  });

  it('answers a new refresh token on each refresh and the old one is dead', async () => {
    b24 = await startBitrix24();
    const first = (await byCode(b24.url, (await consent(b24.url)).searchParams.get('code') ?? '')).body;
    const second = await byRefresh(b24.url, first.refresh_token as string);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.expires).toBe(Date.parse('2026-08-01T10:00:00Z') / 1000);
    expect((await byRefresh(b24.url, first.refresh_token as string)).body.error).toBe('invalid_grant');
    expect((await byRefresh(b24.url, second.body.refresh_token as string)).status).toBe(200);
  });

  it('answers 401 expired_token past the hour, invalid_token for a stranger, NO_AUTH_FOUND without auth', async () => {
    b24 = await startBitrix24();
    const minted = await postJson(`${b24.url}/__sandbox/tokens`, {});
    expect(minted.status).toBe(201);
    const auth = minted.body.access_token as string;
    expect((await postJson(`${b24.url}/rest/test.echo`, { auth })).status).toBe(200);
    b24.clock.advance(3_600_000);
    expect(await postJson(`${b24.url}/rest/test.echo`, { auth })).toEqual({
      status: 401,
      body: { error: 'expired_token', error_description: 'The access token provided has expired.' },
    });
    const refreshed = await byRefresh(b24.url, minted.body.refresh_token as string);
    expect((await postJson(`${b24.url}/rest/test.echo`, { auth: refreshed.body.access_token })).status).toBe(
      200,
    );
    expect((await postJson(`${b24.url}/rest/test.echo`, { auth: 'strangerstranger' })).body.error).toBe(
      'invalid_token',
    );
    expect(await postJson(`${b24.url}/rest/test.echo`, {})).toEqual({
      status: 401,
      body: { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' },
    });
  });

  it('expires every access token on demand and names the access token in insufficient_scope', async () => {
    b24 = await startBitrix24({
      applications: [{ ...DEMO_APPLICATION, scopes: ['crm'] }],
    });
    const minted = await postJson(`${b24.url}/__sandbox/tokens`, { userId: 5 });
    const auth = minted.body.access_token as string;
    const echo = await postJson(`${b24.url}/rest/test.echo`, { auth });
    expect((echo.body.result as { userId: number }).userId).toBe(5);
    expect((await postJson(`${b24.url}/rest/test.files`, { auth })).body.error_description).toBe(
      'The request requires higher privileges than provided by the access token',
    );
    expect((await postJson(`${b24.url}/__sandbox/tokens/expire`)).body).toEqual({ expired: 1 });
    expect((await postJson(`${b24.url}/rest/test.echo`, { auth })).body.error).toBe('expired_token');
  });
});
