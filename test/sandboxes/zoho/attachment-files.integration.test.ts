import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

/** Uploads one file part (or one `attachmentUrl` link) to a record; answers the attachment id. */
async function attach(
  path: string,
  part: { file: Buffer; name: string; type?: string } | { link: string },
): Promise<string> {
  const form = new FormData();
  if ('link' in part) form.append('attachmentUrl', part.link);
  else form.append('file', new Blob([part.file], part.type ? { type: part.type } : {}), part.name);
  const answer = await fetch(`${zoho.url}/crm/v8${path}`, {
    method: 'POST',
    headers: { authorization: `Zoho-oauthtoken ${await zoho.accessToken()}` },
    body: form,
  });
  expect(answer.status).toBe(200);
  return (await json(answer)).data[0].details.id;
}

// Bytes a text decoder would mangle, so the download is compared byte for byte.
const PHOTO = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256));

describe('Zoho sandbox attachment download', () => {
  it('answers the uploaded bytes with their Content-Type and a Content-Disposition naming the file', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const id = await attach(`/Contacts/${contact}/Attachments`, {
      file: PHOTO,
      name: 'fotó 1.jpg',
      type: 'image/jpeg',
    });
    const answer = await zoho.api('GET', `/Contacts/${contact}/Attachments/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect(answer.headers.get('content-disposition')).toBe(
      `attachment; filename="fot_ 1.jpg"; filename*=UTF-8''${encodeURIComponent('fotó 1.jpg')}`,
    );
    expect(Buffer.from(await answer.arrayBuffer()).equals(PHOTO)).toBe(true);
    const untyped = await attach(`/Contacts/${contact}/Attachments`, { file: Buffer.from('x'), name: 'a' });
    const octets = await zoho.api('GET', `/Contacts/${contact}/Attachments/${untyped}`);
    expect(octets.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('answers 204 for an attachment not on the record, DOWNLOAD_NOT_ALLOWED for a link, and a bad record', async () => {
    zoho = await startZoho();
    const [contact, other] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }, { Last_Name: 'Roe' }]);
    const id = await attach(`/Contacts/${contact}/Attachments`, { file: PHOTO, name: 'p.jpg' });
    expect((await zoho.api('GET', `/Contacts/${other}/Attachments/${id}`)).status).toBe(204);
    expect((await zoho.api('GET', `/Contacts/${contact}/Attachments/4876819000009999999`)).status).toBe(204);
    const link = await attach(`/Contacts/${contact}/Attachments`, { link: 'https://example.com/chat' });
    const refused = await zoho.api('GET', `/Contacts/${contact}/Attachments/${link}`);
    expect(refused.status).toBe(400);
    expect(await json(refused)).toEqual({
      code: 'DOWNLOAD_NOT_ALLOWED',
      details: {},
      message: 'As it is a linked attachment, you can not download it',
      status: 'error',
    });
    const noRecord = await zoho.api('GET', `/Contacts/4876819000009999999/Attachments/${id}`);
    expect(await json(noRecord)).toMatchObject({
      code: 'INVALID_DATA',
      message: 'the related id given seems to be invalid',
      details: { resource_path_index: 1 },
    });
    expect((await json(zoho.api('GET', `/Accounts/${contact}/Attachments/${id}`))).code).toBe(
      'INVALID_MODULE',
    );
  });
});

describe('Zoho sandbox attachment delete', () => {
  it('deletes a file or a link from its record; a missing one answers INVALID_DATA "record not deleted"', async () => {
    zoho = await startZoho();
    const [contact, other] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }, { Last_Name: 'Roe' }]);
    const file = await attach(`/Contacts/${contact}/Attachments`, { file: PHOTO, name: 'p.jpg' });
    const link = await attach(`/Contacts/${contact}/Attachments`, { link: 'https://example.com/chat' });
    const notTheirs = await zoho.api('DELETE', `/Contacts/${other}/Attachments/${file}`);
    expect(notTheirs.status).toBe(400);
    expect(await json(notTheirs)).toEqual({
      code: 'INVALID_DATA',
      details: { resource_path_index: 3 },
      message: 'record not deleted',
      status: 'error',
    });
    const deleted = await zoho.api('DELETE', `/Contacts/${contact}/Attachments/${file}`);
    expect(deleted.status).toBe(200);
    expect(await json(deleted)).toEqual({
      data: [{ code: 'SUCCESS', details: { id: file }, message: 'record deleted', status: 'success' }],
    });
    expect((await zoho.api('DELETE', `/Contacts/${contact}/Attachments/${link}`)).status).toBe(200);
    const again = await zoho.api('DELETE', `/Contacts/${contact}/Attachments/${file}`);
    expect((await json(again)).message).toBe('record not deleted');
    expect((await zoho.api('GET', `/Contacts/${contact}/Attachments/${file}`)).status).toBe(204);
    expect((await json(fetch(`${zoho.url}/__sandbox/attachments`))).attachments).toEqual([]);
  });
});

describe('Zoho sandbox attachment list', () => {
  it('answers id, File_Name, Size as a string, Created_By, Created_Time and the parent, paged by page/per_page', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ First_Name: 'Jane', Last_Name: 'Doe' }]);
    const ids: string[] = [];
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      ids.push(await attach(`/Contacts/${contact}/Attachments`, { file: Buffer.from(name), name }));
      zoho.clock.advance(1000);
    }
    const fields = 'id,File_Name,Size,Created_By,Created_Time,Parent_Id,$se_module,$type';
    const first = (await json(
      zoho.api('GET', `/Contacts/${contact}/Attachments?fields=${fields}&per_page=2&page=1`),
    )) as Answer;
    expect(first.data.map((item: Answer) => item.File_Name)).toEqual(['c.txt', 'b.txt']);
    expect(first.data[0]).toEqual({
      id: ids[2],
      File_Name: 'c.txt',
      Size: '5',
      Created_By: { name: 'Sandbox User', id: expect.stringMatching(/^\d+$/), email: 'sandbox@wasync.test' },
      Created_Time: '2026-08-01T09:00:02+00:00',
      Parent_Id: { name: 'Jane Doe', id: contact },
      $se_module: 'Contacts',
      $type: 'File',
    });
    expect(first.info).toEqual({
      per_page: 2,
      next_page_token: null,
      count: 2,
      page: 1,
      previous_page_token: null,
      page_token_expiry: null,
      more_records: true,
    });
    const second = await json(
      zoho.api('GET', `/Contacts/${contact}/Attachments?fields=id&per_page=2&page=2`),
    );
    expect(second.data).toEqual([{ id: ids[0] }]);
    expect(second.info).toMatchObject({ count: 1, page: 2, more_records: false });
    const tooMany = await json(zoho.api('GET', `/Contacts/${contact}/Attachments?fields=id&per_page=201`));
    expect(tooMany).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'per_page' } });
  });

  it('lets a test see each attachment with its parent and size, and each note with its parent', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const [deal] = await zoho.seed('Deals', [{ Deal_Name: 'Big', Contact_Name: contact }]);
    await attach(`/Deals/${deal}/Attachments`, { file: PHOTO, name: 'p.jpg', type: 'image/jpeg' });
    await zoho.api('POST', '/Notes', {
      data: [{ Note_Content: 'n', Parent_Id: { module: { api_name: 'Deals' }, id: deal } }],
    });
    const [attachment] = (await json(fetch(`${zoho.url}/__sandbox/attachments`))).attachments;
    expect(attachment).toMatchObject({
      parent: { module: 'Deals', id: deal },
      size: 300,
      contentType: 'image/jpeg',
      File_Name: 'p.jpg',
      Size: '300',
    });
    expect(Buffer.from(attachment.base64, 'base64').equals(PHOTO)).toBe(true);
    const [note] = (await json(fetch(`${zoho.url}/__sandbox/notes`))).notes;
    expect(note).toMatchObject({ parent: { module: 'Deals', id: deal }, Note_Content: 'n' });
  });

  it('costs one credit for a download and one for a delete (API Limits)', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const id = await attach(`/Contacts/${contact}/Attachments`, { file: PHOTO, name: 'p.jpg' });
    const used = async () => (await json(fetch(`${zoho.url}/__sandbox/counters`))).budget.creditsUsed;
    const before = await used();
    await zoho.api('GET', `/Contacts/${contact}/Attachments/${id}`);
    await zoho.api('DELETE', `/Contacts/${contact}/Attachments/${id}`);
    expect((await used()) - before).toBe(2);
  });
});
