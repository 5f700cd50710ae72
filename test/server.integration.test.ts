import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { textMessage } from './support/batches.js';
import { testDatabases } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

const sqlite = testDatabases()[0];

describe('HTTP server', () => {
  let h: Harness;
  beforeAll(async () => {
    if (!sqlite) throw new Error('no sqlite');
    h = await startHarness(sqlite, { WASYNC_BODY_LIMIT: '64kb' });
  });
  afterAll(() => h.close());

  const API_ROUTES: [string, string][] = [
    ['GET', '/api/v1/accounts'],
    ['POST', '/api/v1/accounts'],
    ['GET', '/api/v1/accounts/acc_x'],
    ['PATCH', '/api/v1/accounts/acc_x/cloud'],
    ['POST', '/api/v1/accounts/acc_x/cloud/history-sync'],
    ['PUT', '/api/v1/accounts/acc_x/access'],
    ['GET', '/api/v1/team'],
    ['POST', '/api/v1/accounts/acc_x/messages'],
    ['POST', '/api/v1/accounts/acc_x/pairing'],
    ['GET', '/api/v1/accounts/acc_x/pairing'],
    ['DELETE', '/api/v1/accounts/acc_x/pairing'],
    ['POST', '/api/v1/accounts/acc_x/pairing/resume'],
    ['GET', '/api/v1/chats'],
    ['GET', '/api/v1/chats/chat_x'],
    ['GET', '/api/v1/chats/chat_x/messages'],
    ['GET', '/api/v1/chats/chat_x/messages/msg_x/media'],
    ['GET', '/api/v1/chats/chat_x/crm'],
    ['POST', '/api/v1/chats/chat_x/history'],
    ['GET', '/api/v1/tokens'],
    ['POST', '/api/v1/tokens'],
    ['DELETE', '/api/v1/tokens/tok_x'],
    ['GET', '/api/v1/crm-kinds'],
    ['GET', '/api/v1/connections'],
    ['POST', '/api/v1/connections'],
    ['GET', '/api/v1/connections/crm_x'],
    ['PUT', '/api/v1/connections/crm_x'],
    ['DELETE', '/api/v1/connections/crm_x'],
    ['POST', '/api/v1/connections/crm_x/test'],
    ['POST', '/api/v1/connections/crm_x/setup'],
    ['GET', '/api/v1/connections/crm_x/sync'],
    ['POST', '/api/v1/connections/crm_x/sync'],
    ['POST', '/api/v1/connections/crm_x/sync/retry'],
    ['GET', '/api/v1/connections/crm_x/links'],
    ['GET', '/api/v1/oauth/x/app'],
    ['PUT', '/api/v1/oauth/x/app'],
    ['DELETE', '/api/v1/oauth/x/app'],
    ['POST', '/api/v1/oauth/x/start'],
    ['GET', '/api/v1/connections/crm_x/unmatched'],
    ['GET', '/api/v1/connections/crm_x/records?q=ana'],
    ['GET', '/api/v1/connections/crm_x/records/x/x'],
    ['GET', '/api/v1/chats/chat_x/records'],
    ['POST', '/api/v1/chats/chat_x/links'],
    ['POST', '/api/v1/chats/chat_x/links/match-again'],
    ['POST', '/api/v1/chats/chat_x/records'],
    ['GET', '/api/v1/chats/lookup?phone=%2B14155550100'],
    ['POST', '/api/v1/accounts/acc_x/chats'],
    ['POST', '/api/v1/chats/chat_x/exclusion'],
    ['DELETE', '/api/v1/chats/chat_x/links?connection=crm_x'],
    ['POST', '/api/v1/accounts/acc_x/imports'],
    ['GET', '/api/v1/accounts/acc_x/imports'],
    ['GET', '/api/v1/accounts/acc_x/imports/imp_x'],
    ['GET', '/api/v1/session'],
    ['DELETE', '/api/v1/session'],
    ['POST', '/api/v1/session/password'],
    ['GET', '/api/v1/session/tokens'],
    ['POST', '/api/v1/session/tokens'],
    ['DELETE', '/api/v1/session/tokens/tok_x'],
    ['GET', '/api/v1/users'],
    ['PATCH', '/api/v1/users/usr_x'],
    ['DELETE', '/api/v1/users/usr_x'],
    ['POST', '/api/v1/invites'],
    ['GET', '/api/v1/invites'],
    ['DELETE', '/api/v1/invites/inv_x'],
    ['GET', '/api/v1/events'],
    ['GET', '/api/v1/settings'],
    ['PATCH', '/api/v1/settings'],
    ['GET', '/api/v1/exclusions'],
    ['POST', '/api/v1/exclusions'],
    ['DELETE', '/api/v1/exclusions/exc_x'],
    ['GET', '/api/v1/audit'],
    ['POST', '/api/v1/erasures'],
    ['GET', '/api/v1/erasures'],
    ['GET', '/api/v1/erasures/era_x'],
    ['POST', '/api/v1/erasures/era_x/crm-deletions'],
    ['GET', '/api/v1/tombstones'],
    ['DELETE', '/api/v1/tombstones/tmb_x'],
    ['GET', '/api/v1/people/export?phone=%2B5511987654321'],
    ['GET', '/api/v1/settings/alerts'],
    ['PATCH', '/api/v1/settings/alerts'],
    ['POST', '/api/v1/settings/alerts/test'],
    ['GET', '/api/v1/alerts'],
    ['GET', '/api/v1/health/connections'],
    ['GET', '/api/v1/no-such-route'],
  ];
  /**
   * Reachable without a token: the first-run page, signing in, invite links, and the OAuth callback
   * (which a browser reaches with its session cookie; without one it is sent to Setup with the reason).
   */
  const PUBLIC_ROUTES: [string, string][] = [
    ['GET', '/api/v1/setup'],
    ['POST', '/api/v1/setup/admin'],
    ['POST', '/api/v1/session'],
    ['GET', '/api/v1/invites/wsi_x'],
    ['POST', '/api/v1/invites/wsi_x/accept'],
    ['GET', '/api/v1/oauth/x/callback'],
  ];

  it.each(PUBLIC_ROUTES)('%s %s is public: no 401 without a token', async (method, url) => {
    const body = method === 'POST' ? { payload: {} } : {};
    const response = await h.app.inject({ method: method as 'GET', url, ...body });
    expect(response.statusCode).not.toBe(401);
    expect(response.statusCode).toBeLessThan(500);
  });

  it.each(API_ROUTES)('%s %s without a token answers 401', async (method, url) => {
    const body = method === 'POST' || method === 'PATCH' ? { payload: {} } : {};
    const response = await h.app.inject({ method: method as 'GET', url, ...body });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(response.json().error.code).toBe('unauthorized');
  });

  it.each(API_ROUTES.slice(0, 3))('%s %s with a wrong token answers 401', async (method, url) => {
    const response = await h.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: 'Bearer wsk_forged' },
    });
    expect(response.statusCode).toBe(401);
  });

  it('checks that every /api route in the OpenAPI document is covered by the list above', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((op) => `${op.toUpperCase()} ${path.replace(/\{[^}]+\}/g, 'x')}`),
    );
    const tested = [...API_ROUTES, ...PUBLIC_ROUTES].map(
      ([m, u]) =>
        `${m} ${u.split('?')[0]?.replace(/(acc|chat|tok|crm|usr|inv|wsi|msg|exc|era|tmb|imp)_x/g, 'x')}`,
    );
    expect(documented.filter((route) => !tested.includes(route))).toEqual([]);
  });

  it('serves the OpenAPI document and the docs page without a token', async () => {
    const doc = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const body = doc.json();
    expect(body.openapi).toBe('3.1.0');
    expect(body.paths['/api/v1/accounts/{accountId}/messages'].post.requestBody).toBeDefined();
    expect(body.components.schemas.MessageItem).toBeDefined();
    const page = await h.app.inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('answers health, readiness and Prometheus metrics', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok' },
    });
    await h.app.inject({ method: 'GET', url: '/api/v1/accounts', headers: h.auth });
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(
      /wasync_http_requests_total\{method="GET",route="\/api\/v1\/accounts",status="200"\} 1/,
    );
    expect(metrics.body).toContain('wasync_process_resident_memory_bytes');
  });

  it('answers /readyz with 503 not_ready when the database is gone', async () => {
    if (!sqlite) throw new Error('no sqlite');
    const broken = await startHarness(sqlite);
    try {
      await broken.services.store.sql.close();
      const response = await broken.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('not_ready');
      expect(response.json().error.message).toMatch(/^Not ready: database: /);
      expect(response.json().error.details.checks.database).not.toBe('ok');
      expect((await broken.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it('refuses a body over the limit with 413 and the error envelope', async () => {
    const account = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        headers: h.auth,
        payload: { phone: '+442071838750' },
      })
    ).json();
    const response = await h.app.inject({
      method: 'POST',
      url: `/api/v1/accounts/${account.id}/messages`,
      headers: h.auth,
      payload: { messages: [textMessage({ text: 'x'.repeat(70_000) })] },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('answers malformed JSON with 400 bad_request, not a 500', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { ...h.auth, 'content-type': 'application/json' },
      payload: '{"phone": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('bad_request');
  });

  it('validates bodies against the schema with field names', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: 5 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'validation_failed',
      details: { issues: [expect.objectContaining({ field: 'body.phone' })] },
    });
  });

  it('refuses an invalid phone and a second account for the same number', async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+1 000' },
    });
    expect(bad.json().error.code).toBe('invalid_phone');
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+33 1 42 68 53 00' },
    });
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: h.auth,
      payload: { phone: '+33142685300' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('conflict');
  });

  it('shows when a token was last used', async () => {
    await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: h.auth });
    const tokens = (await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: h.auth })).json()
      .data;
    const admin = tokens.find((t: { name: string }) => t.name === 'first admin token');
    expect(Date.parse(admin.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('lets an admin make tokens, and a member token read but not administer', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth,
      payload: { name: 'extension', role: 'member' },
    });
    expect(created.statusCode).toBe(201);
    const member = { authorization: `Bearer ${created.json().token}` };
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: member })).statusCode).toBe(
      200,
    );
    const forbidden = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: member,
      payload: { name: 'x' },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('forbidden');

    const list = (await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: h.auth })).json().data;
    expect(JSON.stringify(list)).not.toContain(created.json().token);
    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${created.json().id}`,
      headers: h.auth,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/chats', headers: member })).statusCode).toBe(
      401,
    );
  });
});

describe('metrics behind WASYNC_METRICS_TOKEN', () => {
  const METRICS_TOKEN = 'metrics-token-0123456789';
  let h: Harness;
  beforeAll(async () => {
    if (!sqlite) throw new Error('no sqlite');
    h = await startHarness(sqlite, { WASYNC_METRICS_TOKEN: METRICS_TOKEN });
  });
  afterAll(() => h.close());

  it('answers /metrics only with the metrics token, whatever the spelling of the path', async () => {
    for (const url of ['/metrics', '/%6detrics', '/metrics?x=1']) {
      const open = await h.app.inject({ method: 'GET', url });
      expect(open.statusCode, url).toBe(401);
      expect(open.json().error.code).toBe('unauthorized');
      expect(open.body).not.toContain('wasync_http_requests_total');
    }
    const wrong = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-token-012345678X' },
    });
    expect(wrong.statusCode).toBe(401);
    // An API token is no metrics token: the two are handed to different systems.
    expect((await h.app.inject({ method: 'GET', url: '/metrics', headers: h.auth })).statusCode).toBe(401);
    const allowed = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('wasync_http_requests_total');
  });

  it('refuses a metrics token shorter than 16 characters at start', () => {
    expect(() => loadConfig({ WASYNC_METRICS_TOKEN: 'short' })).toThrow(/WASYNC_METRICS_TOKEN/);
  });
});
