import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

const parent = (module: string, id: string) => ({ module: { api_name: module }, id });

function upload(url: string, token: string, path: string, fileName: string, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), fileName);
  return fetch(`${url}/crm/v8${path}`, {
    method: 'POST',
    headers: { authorization: `Zoho-oauthtoken ${token}` },
    body: form,
  });
}

describe('Zoho sandbox notes', () => {
  it('creates notes on a contact and its deal in one call and lists them per parent (fields required)', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const [deal] = await zoho.seed('Deals', [{ Deal_Name: 'Big', Contact_Name: contact }]);
    const created = await zoho.api('POST', '/Notes', {
      data: [
        { Note_Title: 'Chat', Note_Content: 'hello', Parent_Id: parent('Contacts', contact ?? '') },
        { Note_Title: 'Chat', Note_Content: 'hello', Parent_Id: parent('Deals', deal ?? '') },
      ],
    });
    expect(created.status).toBe(200);
    expect((await json(created)).data.map((result: { message: string }) => result.message)).toEqual([
      'record added',
      'record added',
    ]);
    const noFields = await zoho.api('GET', `/Contacts/${contact}/Notes`);
    expect(await json(noFields)).toMatchObject({
      code: 'REQUIRED_PARAM_MISSING',
      details: { param_name: 'fields' },
    });
    const listed = (await (
      await zoho.api('GET', `/Contacts/${contact}/Notes?fields=Note_Title,Note_Content,Parent_Id`)
    ).json()) as Answer;
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({
      Note_Content: 'hello',
      Parent_Id: { module: { api_name: 'Contacts' }, id: contact },
    });
  });

  it('refuses the v2 form Parent_Id "<id>" with $se_module, and a missing Parent_Id, answering 202', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const answer = await zoho.api('POST', '/Notes', {
      data: [{ Note_Content: 'x', Parent_Id: contact, $se_module: 'Contacts' }, { Note_Content: 'y' }],
    });
    expect(answer.status).toBe(202);
    const [v2, missing] = (await json(answer)).data;
    expect(v2).toMatchObject({
      code: 'INVALID_DATA',
      details: { api_name: 'Parent_Id', expected_data_type: 'jsonobject' },
    });
    expect(missing).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Parent_Id' } });
  });

  it('updates a note in place and refuses more than 100 notes a call', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const created = (await (
      await zoho.api('POST', '/Notes', {
        data: [{ Note_Content: 'v1', Parent_Id: parent('Contacts', contact ?? '') }],
      })
    ).json()) as Answer;
    const id = created.data[0].details.id;
    const updated = await zoho.api('PUT', `/Notes/${id}`, { data: [{ Note_Content: 'v2' }] });
    expect((await json(updated)).data[0]).toMatchObject({ code: 'SUCCESS', message: 'record updated' });
    const notes = (await json(fetch(`${zoho.url}/__sandbox/notes`))).notes;
    expect(notes.map((note: { id: string; Note_Content: string }) => [note.id, note.Note_Content])).toEqual([
      [id, 'v2'],
    ]);
    const many = Array.from({ length: 101 }, () => ({
      Note_Content: 'n',
      Parent_Id: parent('Contacts', contact ?? ''),
    }));
    expect((await json(zoho.api('POST', '/Notes', { data: many }))).code).toBe('LIMIT_EXCEEDED');
  });
});

describe('Zoho sandbox attachments', () => {
  it('uploads a file per record and lists it with File_Name, Size, Created_By and Created_Time', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const token = await zoho.accessToken();
    const empty = (await (
      await zoho.api('GET', `/Contacts/${contact}/Attachments?fields=File_Name`)
    ).json()) as Answer;
    expect(empty.data).toEqual([]);
    const answer = await upload(
      zoho.url,
      token,
      `/Contacts/${contact}/Attachments`,
      'photo.jpg',
      Buffer.alloc(1234, 7),
    );
    expect(answer.status).toBe(200);
    expect((await json(answer)).data[0]).toMatchObject({
      code: 'SUCCESS',
      message: 'attachment uploaded successfully',
    });
    const listed = (await (
      await zoho.api('GET', `/Contacts/${contact}/Attachments?fields=File_Name,Size,Created_By,Created_Time`)
    ).json()) as Answer;
    expect(listed.data[0]).toMatchObject({
      File_Name: 'photo.jpg',
      Size: '1234',
      Created_By: { name: 'Sandbox User' },
    });
    expect(listed.data[0].Created_Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect((await zoho.api('GET', `/Contacts/${contact}/Attachments`)).status).toBe(400);
  });

  it('refuses a file past the size limit with 413 FILE_SIZE_MORE_THAN_ALLOWED_SIZE, 20 MB by default', async () => {
    zoho = await startZoho();
    expect(zoho.sandbox.options.maxAttachmentBytes).toBe(20 * 1024 * 1024);
    await zoho.close();
    zoho = await startZoho({ maxAttachmentBytes: 1000 });
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const answer = await upload(
      zoho.url,
      await zoho.accessToken(),
      `/Contacts/${contact}/Attachments`,
      'big.bin',
      Buffer.alloc(1001),
    );
    expect(answer.status).toBe(413);
    expect((await json(answer)).code).toBe('FILE_SIZE_MORE_THAN_ALLOWED_SIZE');
    expect((await json(fetch(`${zoho.url}/__sandbox/attachments`))).attachments).toEqual([]);
  });
});

describe('Zoho sandbox related deals and lead conversion', () => {
  it("pages a contact's deals in creation order, not by Modified_Time, with more_records", async () => {
    zoho = await startZoho();
    const [contact, lonely] = await zoho.seed('Contacts', [{ Last_Name: 'Dealer' }, { Last_Name: 'None' }]);
    // Later deals were modified later: a server-side sort by Modified_Time desc would start at D6.
    const seeded = await fetch(`${zoho.url}/__sandbox/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        Array.from({ length: 7 }, (_, i) => ({
          module: 'Deals',
          fields: { Deal_Name: `D${i}`, Contact_Name: contact },
          modifiedAt: `2026-07-0${i + 1}T10:00:00Z`,
        })),
      ),
    });
    expect(seeded.status).toBe(201);
    const first = (await (
      await zoho.api(
        'GET',
        `/Contacts/${contact}/Deals?fields=Deal_Name&per_page=5&page=1&sort_by=Modified_Time&sort_order=desc`,
      )
    ).json()) as Answer;
    expect(first.data.map((d: { Deal_Name: string }) => d.Deal_Name)).toEqual(['D0', 'D1', 'D2', 'D3', 'D4']);
    expect(first.info).toMatchObject({ more_records: true, page: 1, per_page: 5 });
    const second = (await (
      await zoho.api('GET', `/Contacts/${contact}/Deals?fields=Deal_Name&per_page=5&page=2`)
    ).json()) as Answer;
    expect(second.data).toHaveLength(2);
    expect(second.info.more_records).toBe(false);
    expect((await zoho.api('GET', `/Contacts/${lonely}/Deals?fields=Deal_Name`)).status).toBe(204);
  });

  it('converts a lead to a contact: the lead is gone and its notes move to the contact', async () => {
    zoho = await startZoho();
    const [lead] = await zoho.seed('Leads', [{ Last_Name: 'Lee', Company: 'Acme', Mobile: '+15550000001' }]);
    await zoho.api('POST', '/Notes', {
      data: [{ Note_Content: 'before', Parent_Id: parent('Leads', lead ?? '') }],
    });
    const answer = await zoho.api('POST', `/Leads/${lead}/actions/convert`, { data: [{ overwrite: true }] });
    expect(answer.status).toBe(200);
    const contactId = (await json(answer)).data[0].details.Contacts.id;
    expect(contactId).toMatch(/^\d{19}$/);
    expect((await zoho.api('GET', `/Leads/${lead}`)).status).toBe(204);
    const contact = (await (await zoho.api('GET', `/Contacts/${contactId}`)).json()) as Answer;
    expect(contact.data[0]).toMatchObject({ Last_Name: 'Lee', Mobile: '+15550000001' });
    const notes = (await (
      await zoho.api('GET', `/Contacts/${contactId}/Notes?fields=Note_Content`)
    ).json()) as Answer;
    expect(notes.data[0].Note_Content).toBe('before');
  });
});
