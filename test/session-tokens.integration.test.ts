import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { browser, team } from './support/team.js';

interface Token {
  id: string;
  name: string;
  role: string;
  owner?: { id: string; name: string; email: string };
  prefix: string;
  revokedAt?: string;
  token?: string;
}

interface AuditEvent {
  action: string;
  actor: { via: string; userId?: string };
  target?: { type: string; id?: string; label?: string };
  details: Record<string, unknown>;
}

describeEachDatabase("a person's own tokens (the browser extension's)", (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
  const withToken = (token: string, method: Method, url: string, payload?: Record<string, unknown>) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload }),
    });
  const auditOf = async (action: string): Promise<AuditEvent[]> => {
    const response = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?limit=200&action=${action}`,
      headers: h.auth,
    });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { data: AuditEvent[] }).data;
  };

  it('gives a member and an admin each a member token of their own, shown once', async () => {
    const { ada, bo } = await team(h, { ada: 'admin', bo: 'member' });
    for (const person of [ada, bo]) {
      const made = await person.browser.call('POST', '/session/tokens', {});
      expect(made.statusCode, made.body).toBe(201);
      const token = made.json() as Token;
      // Member whatever the person's role: the extension never needs more.
      expect(token).toMatchObject({ name: 'Browser extension', role: 'member', owner: { id: person.id } });
      expect(token.token).toMatch(/^wsk_/);
      expect(token.prefix).toBe(token.token?.slice(0, token.prefix.length));

      // It reads chats, but is closed out of admin routes, even for the admin's own token.
      expect((await withToken(token.token ?? '', 'GET', '/chats')).statusCode).toBe(200);
      for (const path of ['/users', '/tokens']) {
        const refused = await withToken(token.token ?? '', 'GET', path);
        expect(refused.statusCode, path).toBe(403);
        expect(refused.json().error.code).toBe('forbidden');
      }
      // The secret is in the creation answer only.
      const listed = await person.browser.call('GET', '/session/tokens');
      expect(listed.body).not.toContain(token.token);
    }
    const named = await bo.browser.call('POST', '/session/tokens', { name: '  Laptop Chrome ' });
    expect(named.json()).toMatchObject({ name: 'Laptop Chrome', role: 'member' });
    // No body at all gets the default name too.
    const bare = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session/tokens',
      headers: sessionHeaders(await signIn('bo')),
    });
    expect(bare.statusCode, bare.body).toBe(201);
    expect(bare.json().name).toBe('Browser extension');

    for (const bad of [{ name: '' }, { name: 'x'.repeat(129) }, { name: 'ok', role: 'admin' }]) {
      const refused = await bo.browser.call('POST', '/session/tokens', bad);
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json().error.code).toBe('validation_failed');
    }
  });

  /** A fresh session of one of the team (signed in through the API), for raw requests. */
  const signIn = async (name: string) => {
    const someone = browser(h);
    const signedIn = await someone.call('POST', '/session', {
      email: `${name}@example.com`,
      password: `${name}'s long password`,
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    return { cookie: someone.cookie() ?? '', csrf: signedIn.json().csrfToken as string };
  };
  const sessionHeaders = (session: { cookie: string; csrf: string }) => ({
    cookie: `wasync_session=${session.cookie}`,
    'x-csrf-token': session.csrf,
  });

  it("lists only one's own tokens, and revokes only one's own", async () => {
    const { ada, bo, cy } = await team(h, { ada: 'admin', bo: 'member', cy: 'member' });
    const bosId = (await bo.browser.call('POST', '/session/tokens', { name: 'bo laptop' })).json().id;
    const bosSecond = (await bo.browser.call('POST', '/session/tokens', { name: 'bo desktop' })).json();
    const cysId = (await cy.browser.call('POST', '/session/tokens', {})).json().id;
    await ada.browser.call('POST', '/tokens', { name: 'ada script', role: 'admin' });

    const names = async (person: typeof bo) =>
      ((await person.browser.call('GET', '/session/tokens')).json().data as Token[]).map((t) => [
        t.name,
        t.owner?.id,
        t.revokedAt === undefined ? 'active' : 'revoked',
      ]);
    expect(await names(bo)).toEqual([
      ['bo laptop', bo.id, 'active'],
      ['bo desktop', bo.id, 'active'],
    ]);
    expect(await names(cy)).toEqual([['Browser extension', cy.id, 'active']]);
    // The admin's own list has their own tokens only (the first-start token and the script are theirs).
    expect(await names(ada)).toEqual([
      ['first admin token', ada.id, 'active'],
      ['ada script', ada.id, 'active'],
    ]);

    // Another person's token is not there to revoke, whatever one's role.
    for (const [person, id] of [
      [cy, bosId],
      [ada, bosId],
      [bo, cysId],
      [bo, 'tok_nothing'],
    ] as const) {
      const refused = await person.browser.call('DELETE', `/session/tokens/${id}`);
      expect(refused.statusCode).toBe(404);
      expect(refused.json().error.code).toBe('not_found');
    }
    expect((await withToken(bosSecond.token, 'GET', '/chats')).statusCode).toBe(200);
    expect((await bo.browser.call('DELETE', `/session/tokens/${bosSecond.id}`)).statusCode).toBe(204);
    const stopped = await withToken(bosSecond.token, 'GET', '/chats');
    expect(stopped.statusCode).toBe(401);
    expect(stopped.json().error.code).toBe('unauthorized');
    expect(await names(bo)).toEqual([
      ['bo laptop', bo.id, 'active'],
      ['bo desktop', bo.id, 'revoked'],
    ]);
    // Once revoked, it is no longer there to revoke.
    expect((await bo.browser.call('DELETE', `/session/tokens/${bosSecond.id}`)).statusCode).toBe(404);
    // The others' tokens are untouched.
    expect(await names(cy)).toEqual([['Browser extension', cy.id, 'active']]);
  });

  it('refuses a token, even an admin one, on the routes of one’s own tokens: it cannot multiply itself', async () => {
    const { bo } = await team(h, { ada: 'admin', bo: 'member' });
    const own = (await bo.browser.call('POST', '/session/tokens', {})).json() as Token;
    for (const token of [own.token ?? '', h.token]) {
      for (const [method, path] of [
        ['POST', '/session/tokens'],
        ['GET', '/session/tokens'],
        ['DELETE', `/session/tokens/${own.id}`],
      ] as const) {
        const refused = await withToken(token, method, path, method === 'POST' ? {} : undefined);
        expect(refused.statusCode, `${method} ${path}`).toBe(403);
        expect(refused.json().error.code).toBe('session_required');
      }
      // With the session cookie beside it, the bearer token still decides who asks.
      const both = await h.app.inject({
        method: 'POST',
        url: '/api/v1/session/tokens',
        headers: { ...sessionHeaders(await signIn('bo')), authorization: `Bearer ${token}` },
        payload: {},
      });
      expect(both.json().error?.code).toBe('session_required');
    }
    expect(
      ((await bo.browser.call('GET', '/session/tokens')).json().data as Token[]).map((t) => t.revokedAt),
    ).toEqual([undefined]);

    // A session's change needs its CSRF token, as everywhere; no session at all is a 401.
    const session = await signIn('bo');
    const forged = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session/tokens',
      headers: { cookie: `wasync_session=${session.cookie}` },
      payload: {},
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('csrf_failed');
    const anonymous = await h.app.inject({ method: 'POST', url: '/api/v1/session/tokens', payload: {} });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthorized');
  });

  it('records the own tokens made and revoked, as the person’s extension tokens', async () => {
    const { bo } = await team(h, { ada: 'admin', bo: 'member' });
    const made = (await bo.browser.call('POST', '/session/tokens', {})).json() as Token;
    const [created] = await auditOf('token.created');
    expect(created).toMatchObject({
      actor: { via: 'session', userId: bo.id },
      target: { type: 'token', id: made.id, label: 'Browser extension' },
      details: { role: 'member', prefix: made.prefix, ownerId: bo.id, purpose: 'extension' },
    });
    expect(JSON.stringify(created)).not.toContain(made.token);
    expect((await bo.browser.call('DELETE', `/session/tokens/${made.id}`)).statusCode).toBe(204);
    expect(await auditOf('token.revoked')).toMatchObject([
      {
        actor: { via: 'session', userId: bo.id },
        target: { type: 'token', id: made.id, label: 'Browser extension' },
        details: { ownerId: bo.id },
      },
    ]);
  });
});
