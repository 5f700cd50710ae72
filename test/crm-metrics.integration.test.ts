import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

/** The value of one sample of `/metrics`, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return 0;
}

describeEachDatabase('CRM metrics per connection', (database) => {
  let h: Harness;
  let org: TestOrg;
  beforeEach(async () => {
    h = await startHarness(database);
  });
  afterEach(async () => {
    await h.close();
    await org.close();
  });

  const metrics = async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body;

  it("counts a connection's CRM requests by outcome and its waits for a slot", async () => {
    org = await startTestOrg();
    const account = await h.createAccount('+14155550000');
    await h.postMessages(account, [
      {
        id: 'm1',
        chat: { type: 'direct', with: '+5511987654321' },
        timestamp: new Date().toISOString(),
        text: 'hi',
      },
    ]);
    const connection = await h.services.connections.create(h.services.workspace.id, org.connectionInput());
    expect((await h.services.sync.runNow(connection.id)).state).toBe('done');

    const text = await metrics();
    const labels = { connection: connection.id, kind: 'salesforce' };
    const sent = sample(text, 'wasync_crm_requests_total', { ...labels, outcome: '2xx' });
    // Every request the org answered, its token endpoint's included.
    const { total } = (await org.counters()) as { total: number };
    expect(sent).toBeGreaterThan(1);
    expect(sent).toBe(total);
    expect(sample(text, 'wasync_crm_requests_total', { ...labels, outcome: '4xx' })).toBe(0);
    expect(sample(text, 'wasync_crm_rate_limit_wait_seconds_count', labels)).toBeGreaterThan(0);
    expect(sample(text, 'wasync_crm_allocation_refusals_total', labels)).toBe(0);
  });

  it("counts the CRM's refusal of a spent allocation, and the requests then refused without being sent", async () => {
    org = await startTestOrg({ dailyRequestLimit: 0 });
    const account = await h.createAccount('+14155550000');
    await h.postMessages(account, [
      {
        id: 'm1',
        chat: { type: 'direct', with: '+5511987654321' },
        timestamp: new Date().toISOString(),
        text: 'hi',
      },
    ]);
    const connection = await h.services.connections.create(h.services.workspace.id, org.connectionInput());
    const labels = { connection: connection.id, kind: 'salesforce' };
    await h.services.sync.runNow(connection.id);
    const first = await metrics();
    expect(sample(first, 'wasync_crm_requests_total', { ...labels, outcome: '4xx' })).toBeGreaterThan(0);
    const refusedBefore = sample(first, 'wasync_crm_allocation_refusals_total', labels);

    // The limiter now holds the org's refusal: the next run's request is refused here, unsent.
    const sentBefore = sample(first, 'wasync_crm_requests_total', { ...labels, outcome: '4xx' });
    await h.services.sync.runNow(connection.id);
    const second = await metrics();
    expect(sample(second, 'wasync_crm_allocation_refusals_total', labels)).toBeGreaterThan(refusedBefore);
    expect(sample(second, 'wasync_crm_requests_total', { ...labels, outcome: '4xx' })).toBe(sentBefore);
  });
});
