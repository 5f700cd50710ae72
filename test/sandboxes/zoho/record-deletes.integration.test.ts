import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

const inspected = async (what: 'records' | 'notes' | 'attachments') =>
  (await json(fetch(`${zoho.url}/__sandbox/${what}`)))[what].map((row: Answer) => row.id);

describe('Zoho sandbox record deletes', () => {
  it('deletes records by ids with a result each, and their notes and attachments with them: 200 all, 207 a mix, 400 none', async () => {
    zoho = await startZoho();
    const [ana, bia, caio] = await zoho.seed('Contacts', [
      { Last_Name: 'Ana' },
      { Last_Name: 'Bia' },
      { Last_Name: 'Caio' },
    ]);
    await zoho.api('POST', '/Notes', {
      data: [{ Note_Content: 'a note', Parent_Id: { module: { api_name: 'Contacts' }, id: ana } }],
    });
    const form = new FormData();
    form.append('file', new Blob(['hello']), 'hello.txt');
    const uploaded = await fetch(`${zoho.url}/crm/v8/Contacts/${ana}/Attachments`, {
      method: 'POST',
      headers: { authorization: `Zoho-oauthtoken ${await zoho.accessToken()}` },
      body: form,
    });
    expect(uploaded.status).toBe(200);

    const all = await zoho.api('DELETE', `/Contacts?ids=${ana},${bia}`);
    expect(all.status).toBe(200);
    expect((await json(all)).data).toEqual([
      { code: 'SUCCESS', details: { id: ana }, message: 'record deleted', status: 'success' },
      { code: 'SUCCESS', details: { id: bia }, message: 'record deleted', status: 'success' },
    ]);
    expect(await inspected('records')).toEqual([caio]);
    expect(await inspected('notes')).toEqual([]);
    expect(await inspected('attachments')).toEqual([]);
    expect((await zoho.api('GET', `/Contacts/${ana}`)).status).toBe(204);

    const mixed = await zoho.api('DELETE', `/Contacts?ids=${caio},${ana}`);
    expect(mixed.status).toBe(207);
    expect((await json(mixed)).data).toEqual([
      { code: 'SUCCESS', details: { id: caio }, message: 'record deleted', status: 'success' },
      { code: 'INVALID_DATA', details: { id: ana }, message: 'record not deleted', status: 'error' },
    ]);
    const none = await zoho.api('DELETE', `/Contacts?ids=${caio}`);
    expect(none.status).toBe(400);
    expect((await json(none)).data).toEqual([
      { code: 'INVALID_DATA', details: { id: caio }, message: 'record not deleted', status: 'error' },
    ]);
  });

  it('deletes only records of the module named, and not a converted lead, which is gone from the API', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Ana' }]);
    const [lead] = await zoho.seed('Leads', [{ Last_Name: 'Bruno', Company: 'Acme' }]);
    const wrongModule = await zoho.api('DELETE', `/Leads?ids=${contact}`);
    expect(wrongModule.status).toBe(400);
    expect((await json(wrongModule)).data[0]).toMatchObject({
      code: 'INVALID_DATA',
      details: { id: contact },
    });
    expect((await zoho.api('POST', `/Leads/${lead}/actions/convert`, { data: [{}] })).status).toBe(200);
    const converted = await zoho.api('DELETE', `/Leads?ids=${lead}`);
    expect(converted.status).toBe(400);
    expect((await json(converted)).data[0]).toMatchObject({
      message: 'record not deleted',
      details: { id: lead },
    });
    expect(await inspected('records')).toContain(lead);
  });

  it('requires ids, at most 100, in a module it keeps, and deletes nothing otherwise', async () => {
    zoho = await startZoho();
    const [kept] = await zoho.seed('Contacts', [{ Last_Name: 'Kept' }]);
    const noIds = await zoho.api('DELETE', '/Contacts');
    expect(noIds.status).toBe(400);
    expect(await json(noIds)).toEqual({
      code: 'REQUIRED_PARAM_MISSING',
      details: { param_name: 'ids' },
      message: 'One of the expected parameter is missing',
      status: 'error',
    });
    const ids = [kept, ...Array.from({ length: 100 }, (_, i) => String(4876819000009000000 + i))];
    const tooMany = await zoho.api('DELETE', `/Contacts?ids=${ids.join(',')}`);
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).code).toBe('LIMIT_EXCEEDED');
    const unknown = await zoho.api('DELETE', `/Potentials?ids=${kept}`);
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).code).toBe('INVALID_MODULE');
    expect(await inspected('records')).toEqual([kept]);
  });
});
