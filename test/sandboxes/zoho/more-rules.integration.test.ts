import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENT } from '../../../src/sandboxes/zoho/index.js';
import { json, startZoho, tokenCall, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

const script = (kind: string) =>
  fetch(`${zoho.url}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind }),
  });
const coql = (query: string) => zoho.api('POST', '/coql', { select_query: query });
const parent = (module: string, id: string | undefined) => ({ module: { api_name: module }, id });

describe('Zoho sandbox accounts server, refusals', () => {
  it('shows an unknown client and an unregistered redirect URI on the page instead of redirecting', async () => {
    zoho = await startZoho({ clients: [{ ...DEMO_CLIENT, redirectUris: ['https://app.example.test/cb'] }] });
    const unknown = await fetch(
      `${zoho.url}/oauth/v2/auth?response_type=code&client_id=nobody&scope=x&redirect_uri=https://app.example.test/cb`,
      { redirect: 'manual' },
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('invalid_client');
    const elsewhere = await fetch(
      `${zoho.url}/oauth/v2/auth?response_type=code&client_id=${DEMO_CLIENT.clientId}&scope=x&redirect_uri=https://evil.example.test/cb`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
  });

  it('answers an unknown grant type and an unknown refresh token as HTTP 200 errors', async () => {
    zoho = await startZoho();
    const base = { client_id: DEMO_CLIENT.clientId, client_secret: DEMO_CLIENT.clientSecret };
    const grant = await tokenCall(zoho.url, { ...base, grant_type: 'password' });
    expect(grant.status).toBe(200);
    expect(await json(grant)).toEqual({ error: 'unsupported_grant_type' });
    expect(
      await json(tokenCall(zoho.url, { ...base, grant_type: 'refresh_token', refresh_token: '1000.x.y' })),
    ).toEqual({ error: 'invalid_code' });
  });

  it('deletes the first refresh token and its access tokens when a client gets its 21st', async () => {
    zoho = await startZoho();
    for (let i = 0; i < 20; i++) await fetch(`${zoho.url}/__sandbox/self-client`, { method: 'POST' });
    expect((await zoho.api('GET', '/Contacts/1')).status).toBe(401);
    const refused = await tokenCall(zoho.url, {
      grant_type: 'refresh_token',
      client_id: DEMO_CLIENT.clientId,
      client_secret: DEMO_CLIENT.clientSecret,
      refresh_token: zoho.refreshToken,
    });
    expect(await json(refused)).toEqual({ error: 'invalid_code' });
  });
});

describe('Zoho sandbox API, further rules', () => {
  it('refuses per_page over 200 and criteria of more than 10 conditions', async () => {
    zoho = await startZoho();
    expect((await json(zoho.api('GET', '/Contacts/search?word=ab&per_page=201'))).code).toBe('INVALID_DATA');
    const eleven = Array.from({ length: 11 }, (_, i) => `(Last_Name:equals:n${i})`).join('or');
    expect(
      (await json(zoho.api('GET', `/Contacts/search?criteria=${encodeURIComponent(`(${eleven})`)}`))).code,
    ).toBe('INVALID_QUERY');
  });

  it('refuses a COQL where of more than 25 conditions and charges 2 credits for a limit past 200', async () => {
    zoho = await startZoho();
    const criteria = (count: number) =>
      Array.from({ length: count }, (_, i) => `Last_Name = 'n${i}'`).reduceRight(
        (inner, criterion) => `(${criterion} or ${inner})`,
      );
    expect((await json(coql(`select id from Contacts where ${criteria(26)}`))).code).toBe('INVALID_QUERY');
    expect((await coql(`select id from Contacts where ${criteria(25)}`)).status).toBe(204);
    // More than two criteria are bracketed in pairs, and an `in` takes up to 50 values.
    const flat = ['a', 'b', 'c'].map((name) => `Last_Name = '${name}'`).join(' or ');
    expect((await json(coql(`select id from Contacts where ${flat}`))).code).toBe('SYNTAX_ERROR');
    const values = (count: number) => Array.from({ length: count }, (_, i) => `'v${i}'`).join(', ');
    expect((await json(coql(`select id from Contacts where Last_Name in (${values(51)})`))).code).toBe(
      'INVALID_QUERY',
    );
    expect((await coql(`select id from Contacts where Last_Name in (${values(50)})`)).status).toBe(204);
    const before = (await json(fetch(`${zoho.url}/__sandbox/counters`))).budget.creditsUsed;
    await coql("select id from Contacts where Last_Name = 'x' limit 1000");
    expect((await json(fetch(`${zoho.url}/__sandbox/counters`))).budget.creditsUsed).toBe(before + 2);
  });

  it('takes a link attachment alone, and refuses a file and a link together', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const token = await zoho.accessToken();
    const send = (form: FormData) =>
      fetch(`${zoho.url}/crm/v8/Contacts/${contact}/Attachments`, {
        method: 'POST',
        headers: { authorization: `Zoho-oauthtoken ${token}` },
        body: form,
      });
    const both = new FormData();
    both.append('file', new Blob([Buffer.alloc(3)]), 'a.txt');
    both.append('attachmentUrl', 'https://example.test/a');
    expect((await json(send(both))).code).toBe('INVALID_DATA');
    const link = new FormData();
    link.append('attachmentUrl', 'https://example.test/a');
    expect((await send(link)).status).toBe(200);
    const listed = await json(
      zoho.api('GET', `/Contacts/${contact}/Attachments?fields=File_Name,Size,$type,$link_url`),
    );
    expect(listed.data[0]).toMatchObject({
      Size: '0',
      $type: 'Link URL',
      $link_url: 'https://example.test/a',
    });
  });

  it('requires Note_Content and refuses an update of an unknown note', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const answer = await json(
      zoho.api('POST', '/Notes', {
        data: [{ Note_Title: 'only a title', Parent_Id: parent('Contacts', contact) }],
      }),
    );
    expect(answer.data[0]).toMatchObject({
      code: 'MANDATORY_NOT_FOUND',
      details: { api_name: 'Note_Content' },
    });
    const update = await json(
      zoho.api('PUT', '/Notes', { data: [{ id: '4876819000009999999', Note_Content: 'x' }] }),
    );
    expect(update.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { id: '4876819000009999999' } });
  });

  it('converts a lead into an existing contact when the body names one', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Known' }]);
    const [lead] = await zoho.seed('Leads', [{ Last_Name: 'Lee', Company: 'Acme' }]);
    const answer = await json(
      zoho.api('POST', `/Leads/${lead}/actions/convert`, { data: [{ Contacts: { id: contact } }] }),
    );
    expect(answer.data[0].details.Contacts.id).toBe(contact);
    expect((await json(fetch(`${zoho.url}/__sandbox/records?module=Contacts`))).records).toHaveLength(1);
  });

  it('reads a deal by id', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const [deal] = await zoho.seed('Deals', [
      { Deal_Name: 'Big', Stage: 'Qualification', Contact_Name: contact },
    ]);
    const read = await json(zoho.api('GET', `/Deals/${deal}`));
    expect(read.data[0]).toMatchObject({ Deal_Name: 'Big', Contact_Name: { id: contact } });
  });

  it('drops the answer of a lost-answer fault after doing the work, and answers RATE_LIMIT_EXCEEDED and INVALID_TOKEN when scripted', async () => {
    zoho = await startZoho();
    await script('lost-answer');
    await expect(zoho.api('POST', '/Contacts', { data: [{ Last_Name: 'Lost' }] })).rejects.toThrow();
    const records = (await json(fetch(`${zoho.url}/__sandbox/records?module=Contacts`))).records;
    expect(records.map((record: { Last_Name: string }) => record.Last_Name)).toEqual(['Lost']);
    await script('429');
    const limited = await zoho.api('GET', '/Contacts/1');
    expect(limited.status).toBe(429);
    expect((await json(limited)).code).toBe('RATE_LIMIT_EXCEEDED');
    await script('invalid-token');
    const refused = await zoho.api('GET', '/Contacts/1');
    expect(refused.status).toBe(401);
    expect((await json(refused)).code).toBe('INVALID_TOKEN');
  });
});
