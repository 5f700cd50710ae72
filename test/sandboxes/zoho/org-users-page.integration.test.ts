import { afterEach, describe, expect, it } from 'vitest';
import { json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

describe('Zoho sandbox org and users', () => {
  it('answers GET /org with the org details, its zgid and domain_name "org" + zgid', async () => {
    zoho = await startZoho({ zgid: '694902300', companyName: 'Acme', edition: 'professional', licenses: 3 });
    const answer = await zoho.api('GET', '/org');
    expect(answer.status).toBe(200);
    const { org } = await json(answer);
    expect(org).toHaveLength(1);
    expect(org[0]).toMatchObject({
      id: expect.stringMatching(/^\d{1,19}$/),
      zgid: '694902300',
      domain_name: 'org694902300',
      company_name: 'Acme',
      country_code: 'US',
      currency: 'US Dollar - USD',
      currency_symbol: '$',
      iso_code: 'USD',
      time_zone: 'Etc/UTC',
      type: 'production',
      license_details: { paid: true, paid_type: 'professional', users_license_purchased: 3 },
    });
    expect(zoho.sandbox.options.zgid).toBe('694902300');
  });

  it('answers GET /users?type=CurrentUser with the signed-in user; 204 for a type with no user', async () => {
    zoho = await startZoho();
    const answer = await zoho.api('GET', '/users?type=CurrentUser');
    expect(answer.status).toBe(200);
    const body = await json(answer);
    expect(body.users).toHaveLength(1);
    expect(body.users[0]).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      full_name: 'Sandbox User',
      email: 'sandbox@wasync.test',
      status: 'active',
      confirm: true,
    });
    expect(body.info).toEqual({ per_page: 200, count: 1, page: 1, more_records: false });
    // The user who wrote a note is the current user.
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const created = await json(
      zoho.api('POST', '/Notes', {
        data: [{ Note_Content: 'n', Parent_Id: { module: { api_name: 'Contacts' }, id: contact } }],
      }),
    );
    expect(created.data[0].details.Created_By.id).toBe(body.users[0].id);
    expect((await zoho.api('GET', '/users?type=DeletedUsers')).status).toBe(204);
    const unknown = await zoho.api('GET', '/users?type=Everyone');
    expect(await json(unknown)).toMatchObject({ code: 'INVALID_DATA', details: { param_name: 'type' } });
  });

  it('needs a token and costs one credit a call, like every API route', async () => {
    zoho = await startZoho();
    expect((await fetch(`${zoho.url}/crm/v8/org`)).status).toBe(401);
    const used = async () => (await json(fetch(`${zoho.url}/__sandbox/counters`))).budget.creditsUsed;
    const before = await used();
    await zoho.api('GET', '/org');
    await zoho.api('GET', '/users?type=CurrentUser');
    expect((await used()) - before).toBe(2);
  });

  it('refuses a zgid that is not digits', async () => {
    await expect(startZoho({ zgid: 'org42' })).rejects.toThrow('zgid must be 1 to 19 digits');
  });
});

describe('Zoho sandbox record page', () => {
  it('answers at /crm/org{zgid}/tab/{Module}/{id} with notes, attachments and a contact’s deals', async () => {
    zoho = await startZoho({ zgid: '694902300' });
    const [contact] = await zoho.seed('Contacts', [{ First_Name: 'Jane', Last_Name: 'Doe' }]);
    const [deal] = await zoho.seed('Deals', [
      { Deal_Name: 'Big <deal>', Contact_Name: contact, Stage: 'Won' },
    ]);
    await zoho.api('POST', '/Notes', {
      data: [
        {
          Note_Title: 'WhatsApp chat',
          Note_Content: 'line one\nline <two>',
          Parent_Id: { module: { api_name: 'Contacts' }, id: contact },
        },
      ],
    });
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(2048)]), 'chat.txt');
    await fetch(`${zoho.url}/crm/v8/Contacts/${contact}/Attachments`, {
      method: 'POST',
      headers: { authorization: `Zoho-oauthtoken ${await zoho.accessToken()}` },
      body: form,
    });
    const { org } = await json(zoho.api('GET', '/org'));
    const page = await fetch(`${zoho.url}/crm/${org[0].domain_name}/tab/Contacts/${contact}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<h1>Jane Doe</h1>');
    expect(html).toContain('<h3>WhatsApp chat</h3>');
    expect(html).toContain('style="white-space: pre-wrap">line one\nline &lt;two&gt;</div>');
    expect(html).toContain('Added <time datetime="2026-08-01T09:00:00.000Z">2026-08-01 09:00 UTC</time>');
    expect(html).toContain(
      '<tr><td>chat.txt</td><td>Sandbox User</td><td><time datetime="2026-08-01T09:00:00.000Z">2026-08-01 09:00 UTC</time></td><td>2.0 KB</td></tr>',
    );
    expect(html).toContain(`<a href="/crm/org694902300/tab/Deals/${deal}">Big &lt;deal&gt;</a> · Won`);
    const dealPage = await fetch(`${zoho.url}/crm/org694902300/tab/Deals/${deal}`);
    expect(await dealPage.text()).not.toContain('<h2>Deals</h2>');
  });

  it('answers 404 for another org, another module or a missing record', async () => {
    zoho = await startZoho({ zgid: '694902300' });
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    expect((await fetch(`${zoho.url}/crm/org1/tab/Contacts/${contact}`)).status).toBe(404);
    expect((await fetch(`${zoho.url}/crm/org694902300/tab/Leads/${contact}`)).status).toBe(404);
    expect((await fetch(`${zoho.url}/crm/org694902300/tab/Contacts/1`)).status).toBe(404);
    const empty = await (await fetch(`${zoho.url}/crm/org694902300/tab/Contacts/${contact}`)).text();
    expect(empty).toContain('No notes.');
    expect(empty).toContain('No attachments.');
    expect(empty).toContain('No deals.');
  });
});
