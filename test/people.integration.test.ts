import { afterEach, beforeEach, expect, it } from 'vitest';
import { tokenOwners } from '../src/store/migrations/011-token-owners.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { browser as signedOutBrowser } from './support/team.js';

describeEachDatabase('people: first admin, sign-in, sessions, invites', (database) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** A browser: keeps the session cookie it is given and sends the CSRF token it learned. */
  const browser = () => signedOutBrowser(h);
  const ADMIN = { email: 'Ada@Example.com', name: 'Ada Admin', password: 'a long admin password' };

  it('lets the first person create the admin account, once, and signs them in', async () => {
    const ada = browser();
    expect((await ada.call('GET', '/setup')).json()).toEqual({ needsFirstAdmin: true });
    const weak = await ada.call('POST', '/setup/admin', { ...ADMIN, password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.code).toBe('validation_failed');
    const created = await ada.call('POST', '/setup/admin', ADMIN);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().user).toMatchObject({ email: 'ada@example.com', name: 'Ada Admin', role: 'admin' });
    const cookie = created.cookies.find((c) => c.name === 'wasync_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(created.body).not.toContain(ADMIN.password);
    expect((await ada.call('GET', '/session')).json().user.email).toBe('ada@example.com');
    // Where the web app starts: with the cookie it learns who is signed in, without an error status.
    const start = (await ada.call('GET', '/setup')).json();
    expect(start).toMatchObject({ needsFirstAdmin: false, session: { user: { email: 'ada@example.com' } } });
    expect((await browser().call('GET', '/setup')).json()).toEqual({ needsFirstAdmin: false });

    const late = await browser().call('POST', '/setup/admin', { ...ADMIN, email: 'eve@example.com' });
    expect(late.statusCode).toBe(409);
    // The stored hash is scrypt, never the password.
    const row = await h.services.store.sql.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$12\$8\$1\$/);
  });

  it('refuses a wrong password and an unknown e-mail alike, and signs in with the right one', async () => {
    await browser().call('POST', '/setup/admin', ADMIN);
    const someone = browser();
    for (const attempt of [
      { email: ADMIN.email, password: 'not the password' },
      { email: 'nobody@example.com', password: ADMIN.password },
    ]) {
      const refused = await someone.call('POST', '/session', attempt);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('invalid_credentials');
      expect(someone.cookie()).toBeUndefined();
    }
    const signedIn = await someone.call('POST', '/session', {
      email: ' ada@EXAMPLE.com ',
      password: ADMIN.password,
    });
    expect(signedIn.statusCode).toBe(200);
    expect((await someone.call('GET', '/session')).json().user.lastSignInAt).toBeDefined();
  });

  it('needs the CSRF token for changes made with the session cookie, not for reads or bearer tokens', async () => {
    const ada = browser();
    await ada.call('POST', '/setup/admin', ADMIN);
    expect((await ada.call('GET', '/accounts')).statusCode).toBe(200);
    const forged = await ada.call('POST', '/accounts', { phone: '+14155550101' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('csrf_failed');
    expect((await ada.call('POST', '/accounts', { phone: '+14155550101' })).statusCode).toBe(201);
    const viaToken = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+14155550102' },
    });
    expect(viaToken.statusCode).toBe(201);
  });

  it('invites a member who signs up through the link once, and may not reach admin routes', async () => {
    const ada = browser();
    await ada.call('POST', '/setup/admin', ADMIN);
    const invited = await ada.call('POST', '/invites', { email: 'Bob@example.com' });
    expect(invited.statusCode, invited.body).toBe(201);
    const { url, invite } = invited.json() as { url: string; invite: { id: string; role: string } };
    expect(invite.role).toBe('member');
    const token = url.split('/invite/')[1] ?? '';
    expect((await ada.call('GET', '/invites')).json().data).toHaveLength(1);

    const bob = browser();
    expect((await bob.call('GET', `/invites/${token}`)).json()).toMatchObject({ email: 'bob@example.com' });
    const joined = await bob.call('POST', `/invites/${token}/accept`, {
      name: 'Bob',
      password: 'bobs long password',
    });
    expect(joined.statusCode, joined.body).toBe(201);
    expect(joined.json().user).toMatchObject({ email: 'bob@example.com', role: 'member' });
    const again = await browser().call('POST', `/invites/${token}/accept`, {
      name: 'Eve',
      password: 'eves long password',
    });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('invite_invalid');

    // A member reads and works with chats, but not with people, tokens or connections.
    expect((await bob.call('GET', '/chats')).statusCode).toBe(200);
    for (const [method, path, body] of [
      ['GET', '/users', undefined],
      ['POST', '/invites', { email: 'eve@example.com' }],
      ['GET', '/tokens', undefined],
      ['POST', '/tokens', { name: 'a token of my own' }],
    ] as const) {
      const response = await bob.call(method, path, body);
      expect(response.statusCode, `${method} ${path}`).toBe(403);
      expect(response.json().error.code).toBe('forbidden');
    }
    expect((await ada.call('GET', '/users')).json().data.map((u: { email: string }) => u.email)).toEqual([
      'ada@example.com',
      'bob@example.com',
    ]);
  });

  it('ends a session on sign-out, at its deadline, and when the user is removed', async () => {
    const ada = browser();
    await ada.call('POST', '/setup/admin', ADMIN);
    const invited = await ada.call('POST', '/invites', { email: 'bob@example.com' });
    const token = (invited.json().url as string).split('/invite/')[1] ?? '';
    const bob = browser();
    const joined = await bob.call('POST', `/invites/${token}/accept`, {
      name: 'Bob',
      password: 'bobs long password',
    });
    const bobId = joined.json().user.id as string;

    // Expired: the deadline passed (as after a week away).
    await h.services.store.sql.db
      .updateTable('sessions')
      .set({ expires_at: Date.now() - 1 })
      .where('user_id', '=', bobId)
      .execute();
    const expired = await bob.call('GET', '/session');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('session_expired');
    await bob.call('POST', '/session', { email: 'bob@example.com', password: 'bobs long password' });
    expect((await bob.call('GET', '/session')).statusCode).toBe(200);

    // Removed by an admin: the session ends at once, and so does an API token they made.
    await h.services.store.people.setRole(h.services.workspace.id, bobId, 'admin');
    const made = await bob.call('POST', '/tokens', { name: 'bobs script' });
    expect(made.statusCode).toBe(201);
    const bobsToken = { authorization: `Bearer ${made.json().token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: bobsToken })).statusCode).toBe(
      200,
    );
    expect((await ada.call('DELETE', `/users/${bobId}`)).statusCode).toBe(204);
    expect((await bob.call('GET', '/session')).json().error.code).toBe('session_expired');
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: bobsToken })).statusCode).toBe(
      401,
    );
    expect(
      (await bob.call('POST', '/session', { email: 'bob@example.com', password: 'bobs long password' }))
        .statusCode,
    ).toBe(401);

    // Signed out: the cookie is cleared and the old value opens nothing.
    const before = ada.cookie();
    expect((await ada.call('DELETE', '/session')).statusCode).toBe(204);
    expect(ada.cookie()).toBeUndefined();
    const reused = await h.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: `wasync_session=${before}` },
    });
    expect(reused.json().error.code).toBe('session_expired');
  });

  it('keeps an admin: the last one can be neither demoted nor removed', async () => {
    const ada = browser();
    const created = await ada.call('POST', '/setup/admin', ADMIN);
    const adaId = created.json().user.id as string;
    expect((await ada.call('PATCH', `/users/${adaId}`, { role: 'member' })).statusCode).toBe(409);
    expect((await ada.call('DELETE', `/users/${adaId}`)).statusCode).toBe(409);
    const invited = await ada.call('POST', '/invites', { email: 'cy@example.com', role: 'admin' });
    const token = (invited.json().url as string).split('/invite/')[1] ?? '';
    const cy = browser();
    await cy.call('POST', `/invites/${token}/accept`, { name: 'Cy', password: 'cys long password!' });
    expect((await cy.call('PATCH', `/users/${adaId}`, { role: 'member' })).json().role).toBe('member');
  });

  /** Ada signs up as first admin and brings in Cy with the given role; both are signed in. */
  const adaAndCy = async (role: 'admin' | 'member') => {
    const ada = browser();
    const adaId = (await ada.call('POST', '/setup/admin', ADMIN)).json().user.id as string;
    const invited = await ada.call('POST', '/invites', { email: 'cy@example.com', role });
    const link = (invited.json().url as string).split('/invite/')[1] ?? '';
    const cy = browser();
    const joined = await cy.call('POST', `/invites/${link}/accept`, {
      name: 'Cy',
      password: 'cys long password!',
    });
    return { ada, adaId, cy, cyId: joined.json().user.id as string };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const withToken = (token: string, method: Method, url: string, payload?: Record<string, unknown>) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload }),
    });

  it("bounds a token by its owner's role now: a demoted admin's tokens lose admin and cannot re-promote", async () => {
    const { ada, cy, cyId } = await adaAndCy('admin');
    const cysToken = (await cy.call('POST', '/tokens', { name: 'cys script', role: 'admin' })).json()
      .token as string;
    const minted = await withToken(cysToken, 'POST', '/tokens', { name: 'made by a token', role: 'admin' });
    expect(minted.statusCode, minted.body).toBe(201);
    const childToken = minted.json().token as string;
    for (const token of [cysToken, childToken])
      expect((await withToken(token, 'GET', '/users')).statusCode).toBe(200);

    expect((await ada.call('PATCH', `/users/${cyId}`, { role: 'member' })).statusCode).toBe(200);
    for (const token of [cysToken, childToken]) {
      // Still a member's token: it reads chats, but admin routes are closed from the next request on.
      expect((await withToken(token, 'GET', '/chats')).statusCode).toBe(200);
      const listed = await withToken(token, 'GET', '/tokens');
      expect(listed.statusCode).toBe(403);
      expect(listed.json().error.code).toBe('forbidden');
      const repromoted = await withToken(token, 'PATCH', `/users/${cyId}`, { role: 'admin' });
      expect(repromoted.statusCode).toBe(403);
    }
    expect(
      (await ada.call('GET', '/users')).json().data.find((u: { id: string }) => u.id === cyId).role,
    ).toBe('member');
    // Made admin again, the tokens are admin's again: the token's own role was never lowered.
    expect((await ada.call('PATCH', `/users/${cyId}`, { role: 'admin' })).statusCode).toBe(200);
    expect((await withToken(childToken, 'GET', '/tokens')).statusCode).toBe(200);
  });

  it("revokes a removed person's tokens at once, and the tokens made with them", async () => {
    const { ada, cy, cyId } = await adaAndCy('admin');
    const cysToken = (await cy.call('POST', '/tokens', { name: 'cys script', role: 'admin' })).json()
      .token as string;
    const childToken = (
      await withToken(cysToken, 'POST', '/tokens', { name: 'child', role: 'member' })
    ).json().token as string;
    const grandchild = (await withToken(childToken, 'POST', '/tokens', { name: 'grandchild' })).json();
    expect(grandchild.token, JSON.stringify(grandchild)).toBeUndefined();
    for (const token of [cysToken, childToken])
      expect((await withToken(token, 'GET', '/chats')).statusCode).toBe(200);

    expect((await ada.call('DELETE', `/users/${cyId}`)).statusCode).toBe(204);
    for (const token of [cysToken, childToken]) {
      const refused = await withToken(token, 'GET', '/chats');
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('unauthorized');
    }
    // The admin token of first start is Ada's and unaffected.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: h.auth })).statusCode).toBe(
      200,
    );
  });

  it("lists each token with its owner, the first-start token and operator tokens as the first admin's", async () => {
    const { ada, adaId, cy, cyId } = await adaAndCy('admin');
    const cysToken = (await cy.call('POST', '/tokens', { name: 'cys script', role: 'admin' })).json()
      .token as string;
    await withToken(cysToken, 'POST', '/tokens', { name: 'made by cys token' });
    await h.services.store.tokens.create({
      workspaceId: h.services.workspace.id,
      name: 'cli',
      role: 'admin',
    });
    const listed = await ada.call('GET', '/tokens');
    expect(listed.statusCode).toBe(200);
    const owners = Object.fromEntries(
      (listed.json().data as { name: string; owner?: { id: string } }[]).map((t) => [t.name, t.owner?.id]),
    );
    expect(owners).toEqual({
      'first admin token': adaId,
      'cys script': cyId,
      'made by cys token': cyId,
      cli: adaId,
    });
    expect(listed.json().data[1].owner).toEqual({ id: cyId, name: 'Cy', email: 'cy@example.com' });
  });

  it('gives tokens stored without an owner to the first admin still on the team (migration 011)', async () => {
    const { ada, adaId, cy, cyId } = await adaAndCy('admin');
    const bobsInvite = await ada.call('POST', '/invites', { email: 'bob@example.com' });
    const bobsLink = (bobsInvite.json().url as string).split('/invite/')[1] ?? '';
    await browser().call('POST', `/invites/${bobsLink}/accept`, {
      name: 'Bob',
      password: 'bobs long password',
    });
    await cy.call('POST', '/tokens', { name: 'cys script' });
    expect((await cy.call('DELETE', `/users/${adaId}`)).statusCode).toBe(204);
    const { db } = h.services.store.sql;
    await db.updateTable('api_tokens').set({ user_id: null }).execute();
    await tokenOwners().up(db);
    const owners = await db.selectFrom('api_tokens').select('user_id').execute();
    expect(owners.map((o) => o.user_id)).toEqual([cyId, cyId]);
  });

  it('throttles sign-in per account: after 10 wrong passwords, 429 with Retry-After and no hash, until the window passes', async () => {
    await browser().call('POST', '/setup/admin', ADMIN);
    const guesser = browser();
    const answers: number[] = [];
    let hashesWhileLocked = 0;
    for (let i = 0; i < 30; i++) {
      const before = h.services.passwords.derivations;
      const response = await guesser.call('POST', '/session', { email: ADMIN.email, password: `guess ${i}` });
      answers.push(response.statusCode);
      if (response.statusCode === 429) {
        hashesWhileLocked += h.services.passwords.derivations - before;
        expect(response.json().error.code).toBe('rate_limited');
        const retryAfter = Number(response.headers['retry-after']);
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      }
    }
    expect(answers).toEqual([...Array(10).fill(401), ...Array(20).fill(429)]);
    expect(hashesWhileLocked).toBe(0);
    // The right password does not open a locked account either: the guesser cannot tell it was right.
    const locked = await browser().call('POST', '/session', { email: ADMIN.email, password: ADMIN.password });
    expect(locked.statusCode).toBe(429);

    // Once the window has passed (moved back in the store, as after 15 minutes), it opens again.
    await h.services.store.sql.db
      .updateTable('auth_throttle')
      .set((eb) => ({ window_start: eb('window_start', '-', 15 * 60_000) }))
      .execute();
    const ada = browser();
    const signedIn = await ada.call('POST', '/session', { email: ADMIN.email, password: ADMIN.password });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    // A good sign-in clears the account's count: a mistyped password later is no lockout.
    expect(
      (await ada.call('POST', '/session', { email: ADMIN.email, password: 'typo typo' })).statusCode,
    ).toBe(401);
    expect(
      (await ada.call('POST', '/session', { email: ADMIN.email, password: ADMIN.password })).statusCode,
    ).toBe(200);
  });

  it('counts wrong current passwords on a password change like failed sign-ins', async () => {
    const ada = browser();
    await ada.call('POST', '/setup/admin', ADMIN);
    const change = (currentPassword: string) =>
      ada.call('POST', '/session/password', { currentPassword, newPassword: 'a new long password' });
    for (let i = 0; i < 10; i++) expect((await change(`guess ${i}`)).statusCode).toBe(401);
    const refused = await change(ADMIN.password);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('throttles sign-in per client address across accounts', async () => {
    await browser().call('POST', '/setup/admin', ADMIN);
    const from = (remoteAddress: string, email: string, password: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress, payload: { email, password } });
    for (let i = 0; i < 50; i++) {
      expect((await from('203.0.113.7', `person${i}@example.com`, 'some password')).statusCode).toBe(401);
    }
    const refused = await from('203.0.113.7', 'person50@example.com', 'some password');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another address, and the account itself, are not held back by it.
    expect((await from('198.51.100.2', ADMIN.email, ADMIN.password)).statusCode).toBe(200);
  });

  it('refuses a first-admin sign-up or an invite that cannot succeed before hashing any password', async () => {
    const ada = browser();
    await ada.call('POST', '/setup/admin', ADMIN);
    const invited = await ada.call('POST', '/invites', { email: 'dee@example.com' });
    const link = (invited.json().url as string).split('/invite/')[1] ?? '';
    const taken = await ada.call('POST', '/invites', { email: 'eli@example.com' });
    const takenLink = (taken.json().url as string).split('/invite/')[1] ?? '';
    // Eli signs up through a second invite to the same address, made before the first was used.
    const again = await h.services.store.people.invite({
      workspaceId: h.services.workspace.id,
      email: 'eli@example.com',
      role: 'member',
      invitedBy: undefined,
    });
    await browser().call('POST', `/invites/${again.token}/accept`, {
      name: 'Eli',
      password: 'elis long password',
    });
    await browser().call('POST', `/invites/${link}/accept`, { name: 'Dee', password: 'dees long password' });

    const before = h.services.passwords.derivations;
    const impossible = [
      ['/setup/admin', { ...ADMIN, email: 'eve@example.com' }, 409],
      [`/invites/${link}/accept`, { name: 'Eve', password: 'eves long password' }, 404],
      ['/invites/wsi_no-such-invite/accept', { name: 'Eve', password: 'eves long password' }, 404],
      [`/invites/${takenLink}/accept`, { name: 'Eve', password: 'eves long password' }, 409],
    ] as const;
    for (const [url, body, status] of impossible) {
      const response = await browser().call('POST', url, body);
      expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
    }
    expect(h.services.passwords.derivations - before).toBe(0);
  });

  it('changes the password, ending the other sessions but not this one', async () => {
    const first = browser();
    await first.call('POST', '/setup/admin', ADMIN);
    const second = browser();
    await second.call('POST', '/session', { email: ADMIN.email, password: ADMIN.password });
    const wrong = await first.call('POST', '/session/password', {
      currentPassword: 'nope nope nope',
      newPassword: 'a new long password',
    });
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const changed = await first.call('POST', '/session/password', {
      currentPassword: ADMIN.password,
      newPassword: 'a new long password',
    });
    expect(changed.statusCode).toBe(204);
    expect((await first.call('GET', '/session')).statusCode).toBe(200);
    expect((await second.call('GET', '/session')).json().error.code).toBe('session_expired');
    expect(
      (await browser().call('POST', '/session', { email: ADMIN.email, password: 'a new long password' }))
        .statusCode,
    ).toBe(200);
  });
});
