import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

const coql = (query: string) => zoho.api('POST', '/coql', { select_query: query });

describe('Zoho sandbox search', () => {
  it('finds a number typed with punctuation by its digits in any phone field, and no other spelling', async () => {
    zoho = await startZoho();
    const [id] = await zoho.seed('Contacts', [{ Last_Name: 'Silva', Mobile: '+55 (11) 98765-4321' }]);
    await zoho.seed('Contacts', [{ Last_Name: 'National', Home_Phone: '(11) 98765-4321' }]);
    const found = await zoho.api('GET', '/Contacts/search?phone=5511987654321&fields=Last_Name,Mobile');
    expect(found.status).toBe(200);
    const body = await json(found);
    expect(body.data.map((record: { id: string }) => record.id)).toEqual([id]);
    expect(body.info).toEqual({ per_page: 200, count: 1, page: 1, more_records: false });
  });

  it('answers 204 with an empty body until the search index catches up with a write', async () => {
    zoho = await startZoho({ searchIndexLagMs: 60_000 });
    const created = (await (
      await zoho.api('POST', '/Contacts', { data: [{ Last_Name: 'New', Mobile: '+15551230000' }] })
    ).json()) as Answer;
    const early = await zoho.api('GET', '/Contacts/search?phone=%2B15551230000');
    expect(early.status).toBe(204);
    expect(await early.text()).toBe('');
    // COQL reads the records, not the index: found at once.
    const exact = await coql("select Last_Name from Contacts where Mobile = '+15551230000'");
    expect((await json(exact)).data[0].id).toBe(created.data[0].details.id);
    zoho.clock.advance(60_000);
    expect((await zoho.api('GET', '/Contacts/search?phone=%2B15551230000')).status).toBe(200);
  });

  it('takes criteria with and/or groups and escaped parentheses, and word=', async () => {
    zoho = await startZoho();
    const [a, b] = await zoho.seed('Contacts', [
      { Last_Name: 'Ana', Phone: '+1 (555) 0101' },
      { Last_Name: 'Bo', Mobile: '+1 (555) 0101' },
    ]);
    await zoho.seed('Contacts', [{ Last_Name: 'Cy', Mobile: '+1 555 9999' }]);
    const criteria = encodeURIComponent(
      '((Phone:equals:+1 \\(555\\) 0101)or(Mobile:equals:+1 \\(555\\) 0101))',
    );
    const body = (await (await zoho.api('GET', `/Contacts/search?criteria=${criteria}`)).json()) as Answer;
    expect(body.data.map((record: { id: string }) => record.id).sort()).toEqual([a, b].sort());
    const word = (await (await zoho.api('GET', '/Contacts/search?word=ana')).json()) as Answer;
    expect(word.data.map((record: { id: string }) => record.id)).toEqual([a]);
    const unknown = await zoho.api(
      'GET',
      `/Contacts/search?criteria=${encodeURIComponent('(Shoe:equals:1)')}`,
    );
    expect((await json(unknown)).code).toBe('INVALID_QUERY');
  });

  it('requires one of phone, criteria, word or email', async () => {
    zoho = await startZoho();
    const answer = await zoho.api('GET', '/Contacts/search');
    expect(answer.status).toBe(400);
    expect((await json(answer)).code).toBe('REQUIRED_PARAM_MISSING');
  });

  it('never finds a converted lead', async () => {
    zoho = await startZoho();
    const [lead] = await zoho.seed('Leads', [{ Last_Name: 'Lee', Company: 'Acme', Mobile: '+15557770000' }]);
    expect((await zoho.api('GET', '/Leads/search?phone=15557770000')).status).toBe(200);
    expect((await zoho.api('POST', `/Leads/${lead}/actions/convert`, { data: [{}] })).status).toBe(200);
    expect((await zoho.api('GET', '/Leads/search?phone=15557770000')).status).toBe(204);
  });
});

describe('Zoho sandbox COQL', () => {
  it('matches exactly: another spelling of the number is not found', async () => {
    zoho = await startZoho();
    await zoho.seed('Contacts', [{ Last_Name: 'Silva', Mobile: '+55 11 98765-4321' }]);
    expect((await coql("select id from Contacts where Mobile = '+5511987654321'")).status).toBe(204);
    const hit = await coql(
      "select Last_Name, Mobile from Contacts where (Phone = '+55 11 98765-4321' or Mobile = '+55 11 98765-4321') limit 10",
    );
    expect(hit.status).toBe(200);
    const body = await json(hit);
    expect(body.data[0]).toMatchObject({ Last_Name: 'Silva', Mobile: '+55 11 98765-4321' });
    expect(body.info).toEqual({ count: 1, more_records: false });
  });

  it('orders and limits: the 5 latest deals of a contact by Modified_Time', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Dealer' }]);
    const seeded = await fetch(`${zoho.url}/__sandbox/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        [3, 1, 6, 2, 7, 5, 4].map((day) => ({
          module: 'Deals',
          fields: { Deal_Name: `D${day}`, Contact_Name: contact },
          modifiedAt: `2026-07-0${day}T10:00:00Z`,
        })),
      ),
    });
    expect(seeded.status).toBe(201);
    const answer = await coql(
      `select Deal_Name from Deals where Contact_Name = '${contact}' order by Modified_Time desc limit 5`,
    );
    const names = (await json(answer)).data.map((deal: { Deal_Name: string }) => deal.Deal_Name);
    expect(names).toEqual(['D7', 'D6', 'D5', 'D4', 'D3']);
  });

  it('refuses a query without where, an unknown column, and a limit out of range', async () => {
    zoho = await startZoho();
    const noWhere = await coql('select Last_Name from Contacts');
    expect(await json(noWhere)).toEqual({
      code: 'SYNTAX_ERROR',
      details: { clause: 'where' },
      message: 'missing clause',
      status: 'error',
    });
    const column = (await (await coql("select Shoe from Contacts where Last_Name = 'x'")).json()) as Answer;
    expect(column).toMatchObject({ code: 'INVALID_QUERY', details: { column_name: 'Shoe' } });
    expect((await json(coql("select id from Contacts where Last_Name = 'x' limit 0"))).code).toBe(
      'INVALID_DATA',
    );
    expect((await json(coql("select id from Contacts where Last_Name = 'x' limit 2001"))).code).toBe(
      'INVALID_QUERY',
    );
    expect(await json(zoho.api('POST', '/coql', {}))).toMatchObject({
      code: 'MANDATORY_NOT_FOUND',
      details: { api_name: 'select_query' },
    });
  });
});
