import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { AuditLog } from '../src/audit/audit-log.js';
import {
  buildSalesforceSandbox,
  DEMO_CLIENT,
  type SalesforceSandbox,
} from '../src/sandboxes/salesforce/index.js';
import { textMessage } from './support/batches.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { browser as signedOutBrowser } from './support/team.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Event {
  id: string;
  occurredAt: string;
  actor: { via: string; userId?: string; tokenId?: string; label: string };
  action: string;
  target?: { type: string; id?: string; label?: string };
  details: Record<string, unknown>;
  clientAddress?: string;
  userAgent?: string;
  count: number;
}

describeEachDatabase('audit log', (database) => {
  let sandbox: SalesforceSandbox;
  let sandboxUrl: string;
  let h: Harness;
  /** The audit log's clock, which the tests move by hand. */
  let now: number;

  beforeAll(async () => {
    sandbox = await buildSalesforceSandbox();
    sandboxUrl = await sandbox.listen(0);
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    now = Date.UTC(2026, 2, 10, 9, 15);
    h = await startHarness(database, {}, { auditClock: () => now });
  });
  afterEach(() => h.close());

  /** A browser: keeps the session cookie it is given and sends the CSRF token it learned. */
  const browser = (userAgent = 'test-browser/1.0') => signedOutBrowser(h, { userAgent });
  const ADMIN = { email: 'ada@example.com', name: 'Ada Admin', password: 'a long admin password' };

  /** The audit log as the API lists it, read with the admin token. */
  const events = async (query = '', auth = h.auth): Promise<Event[]> => {
    const response = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?limit=200${query}`,
      headers: auth,
    });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { data: Event[] }).data;
  };
  const only = async (action: string) => {
    const found = (await events(`&action=${action}`)).filter((e) => e.action === action);
    expect(found, action).toHaveLength(1);
    return found[0] as Event;
  };
  /** Every stored row, as text: what must never hold a secret. */
  const everyRow = async () =>
    JSON.stringify(await h.services.store.sql.db.selectFrom('audit_events').selectAll().execute());
  const signUpAdmin = async () => {
    const ada = browser();
    const created = await ada.call('POST', '/setup/admin', ADMIN);
    expect(created.statusCode, created.body).toBe(201);
    return { ada, adaId: created.json().user.id as string };
  };

  it('records the first admin, sign-ins that failed and succeeded, sign-out and a password change', async () => {
    const { ada, adaId } = await signUpAdmin();
    const first = await only('workspace.first_admin_created');
    expect(first).toMatchObject({
      actor: { via: 'session', userId: adaId, label: 'Ada Admin <ada@example.com>' },
      target: { type: 'user', id: adaId },
      details: { role: 'admin' },
      userAgent: 'test-browser/1.0',
    });
    expect(first.clientAddress).toBeTruthy();

    const stranger = browser('curl/8');
    expect(
      (await stranger.call('POST', '/session', { email: 'ADA@example.com', password: 'guess one' }))
        .statusCode,
    ).toBe(401);
    expect(
      (await stranger.call('POST', '/session', { email: 'nobody@example.com', password: 'guess two' }))
        .statusCode,
    ).toBe(401);
    const failed = (await events('&action=session.sign_in_failed')).reverse();
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({
      actor: { via: 'anonymous', label: 'ada@example.com' },
      target: { type: 'user', id: adaId },
      details: { email: 'ada@example.com', reason: 'wrong_password' },
      userAgent: 'curl/8',
    });
    expect(failed[1]).toMatchObject({
      actor: { via: 'anonymous', label: 'nobody@example.com' },
      target: { type: 'user', label: 'nobody@example.com' },
      details: { reason: 'unknown_email' },
    });
    expect(failed[1]?.actor.userId).toBeUndefined();

    const again = browser();
    expect(
      (await again.call('POST', '/session', { email: ADMIN.email, password: ADMIN.password })).statusCode,
    ).toBe(200);
    expect(await only('session.sign_in')).toMatchObject({
      actor: { via: 'session', userId: adaId },
      target: { type: 'user', id: adaId },
    });
    expect((await again.call('DELETE', '/session')).statusCode).toBe(204);
    expect(await only('session.sign_out')).toMatchObject({ actor: { userId: adaId } });

    const changed = await ada.call('POST', '/session/password', {
      currentPassword: ADMIN.password,
      newPassword: 'another long password',
    });
    expect(changed.statusCode, changed.body).toBe(204);
    expect(await only('session.password_changed')).toMatchObject({
      actor: { via: 'session', userId: adaId },
      target: { id: adaId },
    });

    const rows = await everyRow();
    for (const secret of [ADMIN.password, 'another long password', 'guess one', 'guess two']) {
      expect(rows).not.toContain(secret);
    }
  });

  it('records invites, role changes and removals; a removed person is still named', async () => {
    const { ada, adaId } = await signUpAdmin();
    const invited = await ada.call('POST', '/invites', { email: 'bob@example.com' });
    const { url, invite } = invited.json() as { url: string; invite: { id: string } };
    const inviteToken = url.split('/invite/')[1] ?? '';
    expect(await only('invite.created')).toMatchObject({
      actor: { via: 'session', userId: adaId },
      target: { type: 'invite', id: invite.id, label: 'bob@example.com' },
      details: { email: 'bob@example.com', role: 'member' },
    });
    const other = (await ada.call('POST', '/invites', { email: 'eve@example.com', role: 'admin' })).json();
    expect((await ada.call('DELETE', `/invites/${other.invite.id}`)).statusCode).toBe(204);
    expect(await only('invite.revoked')).toMatchObject({
      target: { type: 'invite', id: other.invite.id, label: 'eve@example.com' },
      details: { role: 'admin' },
    });

    const bob = browser();
    const joined = await bob.call('POST', `/invites/${inviteToken}/accept`, {
      name: 'Bob Member',
      password: 'bob has a long password',
    });
    expect(joined.statusCode, joined.body).toBe(201);
    const bobId = joined.json().user.id as string;
    expect(await only('invite.accepted')).toMatchObject({
      actor: { via: 'session', userId: bobId, label: 'Bob Member <bob@example.com>' },
      target: { type: 'invite', id: invite.id },
    });

    expect((await ada.call('PATCH', `/users/${bobId}`, { role: 'admin' })).statusCode).toBe(200);
    expect(await only('user.role_changed')).toMatchObject({
      actor: { userId: adaId },
      target: { type: 'user', id: bobId, label: 'Bob Member <bob@example.com>' },
      details: { from: 'member', to: 'admin' },
    });
    // Bob acts, then is removed: what he did still says who he was.
    expect((await bob.call('POST', '/exclusions', { kind: 'phone', value: '+14155550100' })).statusCode).toBe(
      201,
    );
    expect((await ada.call('DELETE', `/users/${bobId}`)).statusCode).toBe(204);
    expect(await only('user.removed')).toMatchObject({
      target: { type: 'user', id: bobId, label: 'Bob Member <bob@example.com>' },
      details: { role: 'admin' },
    });
    expect(await only('exclusion.added')).toMatchObject({
      actor: { via: 'session', userId: bobId, label: 'Bob Member <bob@example.com>' },
    });

    const rows = await everyRow();
    expect(rows).not.toContain(inviteToken);
    expect(rows).not.toContain('bob has a long password');
  });

  it('records tokens made and revoked, never their secret, and the command line as an actor', async () => {
    const { ada, adaId } = await signUpAdmin();
    const made = await ada.call('POST', '/tokens', { name: 'ci', role: 'member' });
    expect(made.statusCode).toBe(201);
    const { id, token } = made.json() as { id: string; token: string };
    expect(await only('token.created')).toMatchObject({
      actor: { via: 'session', userId: adaId },
      target: { type: 'token', id, label: 'ci' },
      details: { role: 'member', ownerId: adaId },
    });
    // Made with a token: the actor is the token, and the person it belongs to.
    const second = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'script' },
    });
    const firstTokenId = (await h.services.store.tokens.list(h.services.workspace.id)).find(
      (t) => t.name === 'first admin token',
    )?.id;
    const byToken = (await events('&action=token.created')).find((e) => e.target?.label === 'script');
    expect(byToken).toMatchObject({
      actor: {
        via: 'token',
        tokenId: firstTokenId,
        userId: adaId,
        label: 'token "first admin token" of Ada Admin <ada@example.com>',
      },
    });
    expect((await ada.call('DELETE', `/tokens/${id}`)).statusCode).toBe(204);
    expect(await only('token.revoked')).toMatchObject({ target: { type: 'token', id, label: 'ci' } });

    // What `wasync token create` records, through the same call.
    await h.services.audit.record({ actor: AuditLog.cli }, 'token.created', { type: 'token', id: 'tok_cli' });
    expect((await events('&action=token.created'))[0]).toMatchObject({
      actor: { via: 'cli', label: 'command line' },
      target: { id: 'tok_cli' },
    });

    const rows = await everyRow();
    expect(rows).not.toContain(token);
    expect(rows).not.toContain(second.json().token);
    expect(rows).not.toContain(h.token);
  });

  it('counts token use once per token, route family and hour', async () => {
    const account = await h.createAccount();
    const member = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'rep', role: 'member' },
    });
    const memberId = member.json().id as string;
    const memberAuth = { authorization: `Bearer ${member.json().token}` };
    const get = (url: string, auth = memberAuth) => h.app.inject({ method: 'GET', url, headers: auth });
    for (let i = 0; i < 5; i++) expect((await get('/api/v1/chats')).statusCode).toBe(200);
    now += 10 * 60_000;
    for (let i = 0; i < 3; i++) {
      const response = await h.app.inject({
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/messages`,
        headers: memberAuth,
        payload: { messages: [textMessage()] },
      });
      expect(response.statusCode, response.body).toBe(200);
    }
    expect((await get('/api/v1/chats')).statusCode).toBe(200);
    const uses = () => events(`&action=token.used&tokenId=${memberId}`);
    const thisHour = await uses();
    expect(thisHour.map((e) => [e.target?.id, e.count]).sort()).toEqual([
      ['chats', 6],
      ['ingest', 3],
    ]);
    expect(thisHour[0]).toMatchObject({ actor: { via: 'token', tokenId: memberId, label: 'token "rep"' } });
    expect(new Date(thisHour.find((e) => e.target?.id === 'chats')?.occurredAt ?? '').getTime()).toBe(
      Date.UTC(2026, 2, 10, 9, 15),
    );
    // The next hour is a row of its own.
    now += HOUR;
    expect((await get('/api/v1/chats')).statusCode).toBe(200);
    const later = await uses();
    expect(later.map((e) => [e.target?.id, e.count, e.details.hourStartingAt])).toEqual([
      ['chats', 1, '2026-03-10T10:00:00.000Z'],
      ['ingest', 3, '2026-03-10T09:00:00.000Z'],
      ['chats', 6, '2026-03-10T09:00:00.000Z'],
    ]);
    const stored = await h.services.store.sql.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'token.used')
      .where('actor_token_id', '=', memberId)
      .execute();
    expect(stored).toHaveLength(3);
  });

  it('adds the counts of several processes for one token, family and hour into one row', async () => {
    const event = {
      workspaceId: h.services.workspace.id,
      occurredAt: now,
      actor: { via: 'token' as const, tokenId: 'tok_x', label: 'token "x"' },
      action: 'token.used',
      target: { type: 'route_family', id: 'ingest' },
    };
    await Promise.all([
      h.services.store.audit.count(event, 'token.used:tok_x:ingest:1', 2),
      h.services.store.audit.count(event, 'token.used:tok_x:ingest:1', 3),
    ]);
    await h.services.store.audit.count(event, 'token.used:tok_x:ingest:2', 1);
    const rows = await h.services.store.sql.db
      .selectFrom('audit_events')
      .select(['dedupe_key', 'count'])
      .where('actor_token_id', '=', 'tok_x')
      .orderBy('dedupe_key')
      .execute();
    expect(rows.map((r) => [r.dedupe_key, Number(r.count)])).toEqual([
      ['token.used:tok_x:ingest:1', 5],
      ['token.used:tok_x:ingest:2', 1],
    ]);
  });

  it('answers 403 to members, and filters and pages the log', async () => {
    const { ada, adaId } = await signUpAdmin();
    const member = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'rep', role: 'member' },
    });
    const memberAuth = { authorization: `Bearer ${member.json().token}` };
    const refused = await h.app.inject({ method: 'GET', url: '/api/v1/audit', headers: memberAuth });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');

    const start = now;
    for (let i = 0; i < 5; i++) {
      now = start + (i + 1) * 60_000;
      expect(
        (await ada.call('POST', '/exclusions', { kind: 'phone', value: `+1415555010${i}` })).statusCode,
      ).toBe(201);
    }
    now += 60_000;
    // By action: a whole action, or its start by dotted parts.
    expect(await events('&action=exclusion.added')).toHaveLength(5);
    expect((await events('&action=exclusion')).every((e) => e.action.startsWith('exclusion.'))).toBe(true);
    expect(await events('&action=exclusion.')).toHaveLength(5);
    expect(await events('&action=exclusio')).toHaveLength(0);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/v1/audit?action=x%25', headers: h.auth })).statusCode,
    ).toBe(400);
    // By person and by token.
    const byAda = await events(`&actorUserId=${adaId}`);
    expect(byAda.length).toBeGreaterThanOrEqual(6);
    expect(byAda.every((e) => e.actor.userId === adaId)).toBe(true);
    const memberId = member.json().id as string;
    expect((await events(`&tokenId=${memberId}`)).map((e) => e.action)).toEqual(['token.used']);
    // By time: since is inclusive, until exclusive.
    const window = await events(
      `&action=exclusion.added&since=${new Date(start + 2 * 60_000).toISOString()}&until=${new Date(start + 4 * 60_000).toISOString()}`,
    );
    expect(window.map((e) => e.details.value)).toEqual(['+14155550102', '+14155550101']);

    // Pages of two, newest first, each event once.
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await h.app.inject({
        method: 'GET',
        url: `/api/v1/audit?action=exclusion&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: h.auth,
      });
      const page = response.json() as { data: Event[]; nextCursor?: string };
      seen.push(...page.data.map((e) => String(e.details.value)));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['+14155550104', '+14155550103', '+14155550102', '+14155550101', '+14155550100']);
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/audit?cursor=nope', headers: h.auth });
    expect(bad.json().error.code).toBe('invalid_cursor');
    // The route and its filters are in the API document.
    const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/v1/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['action', 'actorUserId', 'tokenId', 'since', 'until', 'limit', 'cursor']),
    );
    expect(doc.components.schemas.AuditEvent).toBeDefined();
  });

  it('records settings changes old → new, and prunes exactly what is past the retention', async () => {
    const { ada } = await signUpAdmin();
    expect((await ada.call('GET', '/settings')).json()).toMatchObject({
      auditRetentionDays: 365,
      defaults: { auditRetentionDays: 365 },
    });
    expect((await ada.call('PATCH', '/settings', { auditRetentionDays: 0 })).statusCode).toBe(400);
    const changed = await ada.call('PATCH', '/settings', {
      auditRetentionDays: 30,
      backfillDays: 7,
      syncIntervalMinutes: 5,
      timeZone: 'UTC',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().auditRetentionDays).toBe(30);
    const event = await only('workspace.settings_changed');
    expect(event.details).toEqual({
      changes: {
        auditRetentionDays: { from: null, to: 30 },
        backfillDays: { from: null, to: 7 },
        syncIntervalMinutes: { from: null, to: 5 },
      },
    });
    // Setting what is set already changes nothing and records nothing.
    await ada.call('PATCH', '/settings', { auditRetentionDays: 30 });
    expect(await events('&action=workspace.settings_changed')).toHaveLength(1);

    const record = (at: number, label: string) => {
      now = at;
      return h.services.audit.record({ actor: { via: 'system', label } }, 'connection.sync_requested');
    };
    const day0 = now;
    await record(day0 + 1 * DAY, 'old');
    await record(day0 + 5 * DAY, 'edge');
    await record(day0 + 5 * DAY + 1, 'young');
    now = day0 + 35 * DAY;
    // 30 days before now is day0 + 5 days: what happened before that goes; at that instant and later stays.
    const cutoff = now - 30 * DAY;
    const times = async () =>
      (await h.services.store.sql.db.selectFrom('audit_events').select('occurred_at').execute()).map((r) =>
        Number(r.occurred_at),
      );
    const all = await times();
    const older = all.filter((t) => t < cutoff).length;
    // The first admin, the settings change, the admin token's reading of the log that day, and 'old'.
    expect(older).toBe(4);
    expect(all.length - older).toBe(2);
    expect(await h.services.audit.prune()).toBe(older);
    expect(await times()).toHaveLength(2);
    expect((await events('&action=connection')).map((e) => e.actor.label)).toEqual(['young', 'edge']);

    // What `wasync serve` runs in the background does the same, once started.
    await record(day0 + 4 * DAY, 'old again');
    now = day0 + 35 * DAY;
    h.services.audit.start();
    await expect
      .poll(async () => (await events('&action=connection')).map((e) => e.actor.label))
      .toEqual(['young', 'edge']);
    await h.services.audit.stop();
  });

  it('records an import as it starts, with the file it names', async () => {
    const account = await h.createAccount();
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/imports?fileName=WhatsApp%20Chat%20with%20Ana.txt&tz=UTC&chatWith=%2B5511987654321`,
      headers: { ...h.auth, 'content-type': 'text/plain' },
      payload: '12/31/20, 21:15 - Ana: Hello\n',
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(await only('import.started')).toMatchObject({
      actor: { via: 'token' },
      target: { type: 'account', id: account.id, label: account.phone },
      details: { fileName: 'WhatsApp Chat with Ana.txt', contentType: 'text/plain' },
    });
  });

  it('records connections, sync requests, exclusions and accounts without their secrets', async () => {
    const connect = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: {
        kind: 'salesforce',
        name: 'Acme org',
        loginUrl: sandboxUrl,
        auth: {
          flow: 'client_credentials',
          clientId: DEMO_CLIENT.clientId,
          clientSecret: DEMO_CLIENT.clientSecret,
        },
      },
    });
    expect(connect.statusCode, connect.body).toBe(201);
    const connectionId = connect.json().id as string;
    expect(await only('connection.created')).toMatchObject({
      actor: { via: 'token' },
      target: { type: 'connection', id: connectionId, label: 'Acme org' },
      details: { kind: 'salesforce', settings: { clientId: DEMO_CLIENT.clientId } },
    });
    const post = (url: string) => h.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: h.auth });
    expect((await post(`/connections/${connectionId}/test`)).statusCode).toBe(200);
    expect(await only('connection.tested')).toMatchObject({ target: { id: connectionId } });
    expect((await post(`/connections/${connectionId}/setup`)).statusCode).toBe(200);
    expect(await only('connection.setup_run')).toMatchObject({ target: { id: connectionId } });
    expect((await post(`/connections/${connectionId}/sync`)).statusCode).toBe(202);
    expect(await only('connection.sync_requested')).toMatchObject({ target: { id: connectionId } });
    expect((await post(`/connections/${connectionId}/sync/retry`)).statusCode).toBe(202);
    expect(await only('connection.retry_requested')).toMatchObject({
      target: { id: connectionId },
      details: { chats: 0 },
    });

    const account = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: {
        phone: '+1 415 555 2671',
        sourceKind: 'whatsapp_cloud',
        cloud: {
          phoneNumberId: '1122334455667',
          accessToken: 'EAAG-first-access',
          appSecret: 'first-app-secret',
        },
      },
    });
    expect(account.statusCode, account.body).toBe(201);
    const accountId = account.json().id as string;
    expect(await only('account.created')).toMatchObject({
      target: { type: 'account', id: accountId, label: '+14155552671' },
      details: { sourceKind: 'whatsapp_cloud' },
    });
    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/accounts/${accountId}/cloud`,
      headers: h.auth,
      payload: { appSecret: 'second-app-secret', accessToken: 'EAAG-second-access' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await only('account.updated')).toMatchObject({
      details: { changed: ['accessToken', 'appSecret'] },
    });

    const excluded = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exclusions',
      headers: h.auth,
      payload: { kind: 'account', value: accountId, label: 'Support line' },
    });
    expect(excluded.statusCode).toBe(201);
    const exclusionId = excluded.json().id as string;
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/exclusions/${exclusionId}`, headers: h.auth }))
        .statusCode,
    ).toBe(204);
    expect(await only('exclusion.removed')).toMatchObject({
      target: { type: 'exclusion', id: exclusionId, label: 'Support line' },
      details: { kind: 'account', value: accountId },
    });

    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/connections/${connectionId}`, headers: h.auth }))
        .statusCode,
    ).toBe(204);
    expect(await only('connection.deleted')).toMatchObject({
      target: { id: connectionId, label: 'Acme org' },
    });

    const rows = await everyRow();
    for (const secret of [
      DEMO_CLIENT.clientSecret,
      'EAAG-first-access',
      'first-app-secret',
      'second-app-secret',
      'EAAG-second-access',
      account.json().cloud.verifyToken as string,
    ]) {
      expect(rows).not.toContain(secret);
    }
  });
});
