import { afterEach, describe, expect, it } from 'vitest';
import { DATA, type SandboxHarness, startSandbox } from './support.js';

const CONTACTS = `${DATA}/query?q=${encodeURIComponent('SELECT Id, LastName FROM Contact')}`;

describe('Salesforce sandbox: faults a test scripts, lead conversion and deletion by hand', () => {
  let h: SandboxHarness;
  afterEach(() => h.close());

  const inspect = (method: 'POST' | 'DELETE', path: string, payload?: Record<string, unknown>) =>
    h.sandbox.app.inject(
      payload === undefined
        ? { method, url: `/__sandbox/${path}` }
        : { method, url: `/__sandbox/${path}`, payload },
    );

  it('fails the requests it is told to, in order, as an org answers them, and refuses what it does not know', async () => {
    h = await startSandbox();
    expect((await inspect('POST', 'faults', { kind: '503', after: 1 })).statusCode).toBe(201);
    expect((await inspect('POST', 'faults', { kind: 'invalid-session', times: 2 })).statusCode).toBe(201);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await h.api('GET', CONTACTS)).statusCode);
    expect(statuses).toEqual([200, 503, 401, 401, 200]);

    await inspect('POST', 'faults', { kind: 'concurrency' });
    const limited = await h.api('GET', CONTACTS);
    expect(limited.statusCode).toBe(403);
    expect(limited.headers['retry-after']).toBeUndefined();
    expect(limited.json()).toEqual([
      {
        message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
        errorCode: 'REQUEST_LIMIT_EXCEEDED',
      },
    ]);

    await inspect('POST', 'faults', { kind: '500', times: 3 });
    expect((await inspect('DELETE', 'faults')).statusCode).toBe(200);
    expect((await h.api('GET', CONTACTS)).statusCode).toBe(200);

    for (const wrong of [
      { kind: '429' },
      { kind: '503', times: 0 },
      { kind: '503', after: -1 },
      { kind: '503', extra: 1 },
    ]) {
      expect((await inspect('POST', 'faults', wrong)).statusCode).toBe(400);
    }
  });

  it('loses the answer of a request it served in full: the client sees the connection close, the org keeps the write', async () => {
    h = await startSandbox();
    const url = await h.sandbox.listen(0);
    await inspect('POST', 'faults', { kind: 'lost-answer' });
    const sent = fetch(`${url}${DATA}/sobjects/Contact`, {
      method: 'POST',
      headers: { ...h.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ LastName: 'Written' }),
    });
    await expect(sent).rejects.toThrow();
    const rows = (await h.api('GET', CONTACTS)).json().records;
    expect(rows.map((row: { LastName: string }) => row.LastName)).toEqual(['Written']);
  });

  it('converts a lead into a contact with its phone, and deletes a record as a user would', async () => {
    h = await startSandbox();
    const seeded = await h.sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/records/Lead',
      payload: { LastName: 'Lead', Company: 'Acme', Phone: '+55 21 98765-0001' },
    });
    const leadId = seeded.json().id as string;
    const converted = await inspect('POST', `leads/${leadId}/convert`);
    expect(converted.statusCode).toBe(200);
    const { contactId } = converted.json() as { contactId: string };
    const lead = await h.api('GET', `${DATA}/sobjects/Lead/${leadId}`);
    expect(lead.json()).toMatchObject({ IsConverted: true, ConvertedContactId: contactId });
    const contact = await h.api('GET', `${DATA}/sobjects/Contact/${contactId}`);
    expect(contact.json()).toMatchObject({ LastName: 'Lead', Phone: '+55 21 98765-0001' });
    expect((await inspect('POST', `leads/${leadId}/convert`)).statusCode).toBe(400);

    expect((await inspect('DELETE', `records/Contact/${contactId}`)).statusCode).toBe(200);
    expect((await h.api('GET', `${DATA}/sobjects/Contact/${contactId}`)).statusCode).toBe(404);
  });
});
