import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA, type SandboxHarness, startSandbox } from './support.js';

describe('Salesforce sandbox: /__sandbox inspection routes', () => {
  let h: SandboxHarness;
  const inspect = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    h.sandbox.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
  beforeEach(async () => {
    h = await startSandbox();
  });
  afterEach(() => h.close());

  it('lists itself, without auth', async () => {
    const index = (await inspect('GET', '/__sandbox')).json();
    expect(index.description).toContain('test/demo only');
    expect(index.clients).toEqual(['wasync-sandbox']);
    expect(index.routes).toContain('POST /__sandbox/reset');
  });

  it('seeds a contact the API then finds by its stored phone, and shows it under records', async () => {
    const seeded = await inspect('POST', '/__sandbox/records/contact', {
      FirstName: 'Ana',
      LastName: 'Silva',
      Phone: '(11) 98765-4321',
    });
    expect(seeded.statusCode).toBe(201);
    const { id, ids } = seeded.json();
    expect(ids).toEqual([id]);
    const found = await h.query("SELECT Id FROM Contact WHERE Phone = '(11) 98765-4321'");
    expect(found.json().records.map((r: { Id: string }) => r.Id)).toEqual([id]);
    const listed = (await inspect('GET', '/__sandbox/records/Contact')).json();
    expect(listed).toMatchObject({
      type: 'Contact',
      totalSize: 1,
      records: [{ Id: id, Name: 'Ana Silva', Phone: '(11) 98765-4321' }],
    });
  });

  it('refuses seeds with unknown fields and unknown types', async () => {
    expect(
      (await inspect('POST', '/__sandbox/records/Contact', { LastName: 'X', Nope__c: 1 })).statusCode,
    ).toBe(400);
    expect((await inspect('GET', '/__sandbox/records/Nope__c')).statusCode).toBe(404);
  });

  it('counts API requests by route, not inspection requests', async () => {
    await h.query('SELECT Id FROM Contact');
    await h.query('SELECT Id FROM Lead');
    await h.api('POST', `${DATA}/sobjects/Contact`, { LastName: 'X' });
    await inspect('GET', '/__sandbox/records/Contact');
    const counters = (await inspect('GET', '/__sandbox/counters')).json();
    expect(counters.byRoute).toEqual({
      'POST /services/oauth2/token': 1,
      'GET /services/data/:version/query': 2,
      'POST /services/data/:version/sobjects/:type': 1,
    });
    expect(counters.total).toBe(4);
    expect(counters.apiUsage).toEqual({ used: 3, limit: 100_000 });
  });

  it('reset empties the org, sessions and counters but keeps the integration user', async () => {
    await h.seed('Contact', [{ LastName: 'X' }]);
    expect((await inspect('POST', '/__sandbox/reset')).json()).toEqual({ reset: true });
    expect(await h.records('Contact')).toEqual([]);
    expect((await h.records('User')).map((u) => u.Username)).toEqual(['integration@wasync.sandbox']);
    expect((await h.query('SELECT Id FROM Contact')).statusCode).toBe(401);
    expect((await inspect('GET', '/__sandbox/counters')).json()).toMatchObject({
      total: 1,
      apiUsage: { used: 0 },
    });
  });

  it('mints a refresh token for a seeded user so sessions run as that user', async () => {
    const [userId] = await h.seed('User', [
      { Username: 'agent@acme.test', LastName: 'Agent', Email: 'agent@acme.test' },
    ]);
    const minted = (
      await inspect('POST', '/__sandbox/refresh-tokens', {
        clientId: 'wasync-sandbox',
        username: 'agent@acme.test',
      })
    ).json();
    const token = await h.sandbox.app.inject({
      method: 'POST',
      url: '/services/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=refresh_token&client_id=wasync-sandbox&client_secret=wasync-sandbox-secret&refresh_token=${encodeURIComponent(minted.refresh_token)}`,
    });
    const created = await h.sandbox.app.inject({
      method: 'POST',
      url: `${DATA}/sobjects/Lead`,
      headers: { authorization: `Bearer ${token.json().access_token}` },
      payload: { LastName: 'L', Company: 'C' },
    });
    const [lead] = await h.records('Lead');
    expect(lead).toMatchObject({ Id: created.json().id, OwnerId: userId, CreatedById: userId });
    expect((await inspect('POST', '/__sandbox/refresh-tokens', { clientId: 'unknown' })).statusCode).toBe(
      400,
    );
  });
});
