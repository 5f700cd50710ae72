import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

const script = (kind: string, extra: Record<string, unknown> = {}) =>
  fetch(`${zoho.url}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind, ...extra }),
  });

describe('Zoho sandbox limits', () => {
  it('spends credits per rolling 24 hours: past the budget LIMIT_EXCEEDED, convert costs 5', async () => {
    zoho = await startZoho({ dailyCredits: 6 });
    const [lead] = await zoho.seed('Leads', [{ Last_Name: 'L', Company: 'C' }]);
    expect((await zoho.api('POST', `/Leads/${lead}/actions/convert`, { data: [{}] })).status).toBe(200);
    expect((await zoho.api('GET', '/Contacts/1')).status).toBe(204); // 6 of 6
    const refused = await zoho.api('GET', '/Contacts/1');
    expect(refused.status).toBe(400);
    expect((await json(refused)).code).toBe('LIMIT_EXCEEDED');
    zoho.clock.advance(24 * 60 * 60 * 1000);
    expect((await zoho.api('GET', '/Contacts/1', undefined, await zoho.accessToken())).status).toBe(204);
  });

  it('derives the budget from the edition and its licenses', async () => {
    zoho = await startZoho({ edition: 'standard', licenses: 10 });
    expect(zoho.sandbox.options.dailyCredits).toBe(52_500);
    expect(zoho.sandbox.options.concurrencyLimit).toBe(10);
  });

  it('answers 429 TOO_MANY_REQUESTS past the concurrency limit', async () => {
    zoho = await startZoho({ concurrencyLimit: 1, faults: { rate: 0, timeoutMs: 60_000 } });
    await script('timeout');
    // The first request is held open by the timeout fault, holding the one slot.
    const held = zoho.api('GET', '/Contacts/1').catch(() => 'dropped');
    for (let tries = 0; tries < 200; tries++) {
      const counters = (await (await fetch(`${zoho.url}/__sandbox/counters`)).json()) as Answer;
      if (counters.budget.inFlight === 1) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const refused = await zoho.api('GET', '/Contacts/1');
    expect(refused.status).toBe(429);
    expect(await json(refused)).toEqual({
      code: 'TOO_MANY_REQUESTS',
      details: { limit: 1 },
      message: 'concurrency limit exceeded',
      status: 'error',
    });
    await zoho.close();
    expect(await held).toBe('dropped');
  });

  it('renders scripted faults in the error envelope: 500 INTERNAL_ERROR, then serves again', async () => {
    zoho = await startZoho();
    await script('500');
    const failed = await zoho.api('GET', '/Contacts/1');
    expect(failed.status).toBe(500);
    expect((await json(failed)).code).toBe('INTERNAL_ERROR');
    expect((await zoho.api('GET', '/Contacts/1')).status).toBe(204);
    const counters = (await (await fetch(`${zoho.url}/__sandbox/counters`)).json()) as Answer;
    expect(counters.faults).toEqual({ 500: 1 });
  });
});

describe('Zoho sandbox inspection and record page', () => {
  it('expires every access token on demand; a refresh gets a working one', async () => {
    zoho = await startZoho();
    const expired = (await (
      await fetch(`${zoho.url}/__sandbox/tokens/expire`, { method: 'POST' })
    ).json()) as Answer;
    expect(expired.expired).toBeGreaterThan(0);
    expect((await zoho.api('GET', '/Contacts/1')).status).toBe(401);
    expect((await zoho.api('GET', '/Contacts/1', undefined, await zoho.accessToken())).status).toBe(204);
  });

  it('resets to an empty org', async () => {
    zoho = await startZoho();
    await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    await fetch(`${zoho.url}/__sandbox/reset`, { method: 'POST' });
    expect((await json(fetch(`${zoho.url}/__sandbox/records`))).records).toEqual([]);
  });

  it('shows a record page with its fields, notes and attachments', async () => {
    zoho = await startZoho({ orgId: 'org42' });
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe', Mobile: '+15550100' }]);
    await zoho.api('POST', '/Notes', {
      data: [
        {
          Note_Title: 'WhatsApp chat',
          Note_Content: 'hi <there>',
          Parent_Id: { module: { api_name: 'Contacts' }, id: contact },
        },
      ],
    });
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(10)]), 'a.pdf');
    await fetch(`${zoho.url}/crm/v8/Contacts/${contact}/Attachments`, {
      method: 'POST',
      headers: { authorization: `Zoho-oauthtoken ${await zoho.accessToken()}` },
      body: form,
    });
    const page = await fetch(`${zoho.url}/crm/org/org42/tab/Contacts/${contact}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('+15550100');
    expect(html).toContain('hi &lt;there&gt;');
    expect(html).toContain('a.pdf');
    expect((await fetch(`${zoho.url}/crm/org/other/tab/Contacts/${contact}`)).status).toBe(404);
  });
});
