import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

const parent = (module: string, id: string) => ({ module: { api_name: module }, id });

/** Creates one note per content on the parent; answers their ids. */
async function notesOn(module: string, id: string, contents: string[]): Promise<string[]> {
  const created = await json(
    zoho.api('POST', '/Notes', {
      data: contents.map((content) => ({ Note_Content: content, Parent_Id: parent(module, id) })),
    }),
  );
  return created.data.map((result: Answer) => result.details.id);
}

const remaining = async () =>
  (await json(fetch(`${zoho.url}/__sandbox/notes`))).notes.map((note: Answer) => note.id);

describe('Zoho sandbox note deletes', () => {
  it('deletes many notes by ids with a result each: 200 when all went, 207 for a mix, 400 for none', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const [a, b, c] = await notesOn('Contacts', contact ?? '', ['a', 'b', 'c']);
    const all = await zoho.api('DELETE', `/Notes?ids=${a},${b}`);
    expect(all.status).toBe(200);
    expect((await json(all)).data).toEqual([
      { code: 'SUCCESS', details: { id: a }, message: 'record deleted', status: 'success' },
      { code: 'SUCCESS', details: { id: b }, message: 'record deleted', status: 'success' },
    ]);
    expect(await remaining()).toEqual([c]);
    const missing = '4876819000009999999';
    const mixed = await zoho.api('DELETE', `/Notes?ids=${c},${missing}`);
    expect(mixed.status).toBe(207);
    expect((await json(mixed)).data).toEqual([
      { code: 'SUCCESS', details: { id: c }, message: 'record deleted', status: 'success' },
      { code: 'INVALID_DATA', details: { id: missing }, message: 'record not deleted', status: 'error' },
    ]);
    const none = await zoho.api('DELETE', `/Notes?ids=${a}`);
    expect(none.status).toBe(400);
    expect((await json(none)).data[0]).toMatchObject({ code: 'INVALID_DATA', details: { id: a } });
    expect(await remaining()).toEqual([]);
  });

  it('requires ids, at most 100 of them within 1024 characters, and deletes nothing otherwise', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const [kept] = await notesOn('Contacts', contact ?? '', ['kept']);
    const noIds = await zoho.api('DELETE', '/Notes');
    expect(noIds.status).toBe(400);
    expect(await json(noIds)).toMatchObject({
      code: 'REQUIRED_PARAM_MISSING',
      details: { param_name: 'ids' },
    });
    const shortIds = Array.from({ length: 101 }, (_, i) => String(i + 1));
    const tooMany = await zoho.api('DELETE', `/Notes?ids=${shortIds.join(',')}`);
    expect((await json(tooMany)).code).toBe('LIMIT_EXCEEDED');
    // 60 ids of 19 digits are 1199 characters: past the OAS's 1024.
    const longIds = Array.from({ length: 59 }, () => '4876819000009999999').concat(kept ?? '');
    const tooLong = await zoho.api('DELETE', `/Notes?ids=${longIds.join(',')}`);
    expect(await json(tooLong)).toMatchObject({ code: 'INVALID_DATA', details: { param_name: 'ids' } });
    expect(await remaining()).toEqual([kept]);
  });

  it('deletes one note by id; a missing one is a one-entry data[] with INVALID_DATA', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const [note] = await notesOn('Contacts', contact ?? '', ['x']);
    const deleted = await zoho.api('DELETE', `/Notes/${note}`);
    expect(deleted.status).toBe(200);
    expect((await json(deleted)).data).toEqual([
      { code: 'SUCCESS', details: { id: note }, message: 'record deleted', status: 'success' },
    ]);
    const again = await zoho.api('DELETE', `/Notes/${note}`);
    expect(again.status).toBe(400);
    expect((await json(again)).data).toEqual([
      { code: 'INVALID_DATA', details: { id: note }, message: 'record not deleted', status: 'error' },
    ]);
    const badId = await zoho.api('DELETE', '/Notes/not-an-id');
    expect(await json(badId)).toMatchObject({ code: 'INVALID_DATA', details: { resource_path_index: 1 } });
  });

  it("deletes a record's note through the record, only when the note is that record's", async () => {
    zoho = await startZoho();
    const [mine, other] = await zoho.seed('Contacts', [{ Last_Name: 'Mine' }, { Last_Name: 'Other' }]);
    const [note] = await notesOn('Contacts', mine ?? '', ['x']);
    const wrongRecord = await zoho.api('DELETE', `/Contacts/${other}/Notes/${note}`);
    expect(wrongRecord.status).toBe(400);
    expect((await json(wrongRecord)).data[0]).toMatchObject({ code: 'INVALID_DATA', details: { id: note } });
    const unknownRecord = await zoho.api('DELETE', `/Contacts/4876819000009999999/Notes/${note}`);
    expect(await json(unknownRecord)).toMatchObject({
      code: 'INVALID_DATA',
      message: 'the related id given seems to be invalid',
      details: { resource_path_index: 1 },
    });
    expect((await json(zoho.api('DELETE', `/Accounts/${mine}/Notes/${note}`))).code).toBe('INVALID_MODULE');
    expect(await remaining()).toEqual([note]);
    const deleted = await zoho.api('DELETE', `/Contacts/${mine}/Notes/${note}`);
    expect(deleted.status).toBe(200);
    expect((await json(deleted)).data[0]).toMatchObject({ code: 'SUCCESS', details: { id: note } });
    expect(await remaining()).toEqual([]);
  });

  it('costs one credit a call, as Zoho prices every call but a few (API Limits)', async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    const [a, b] = await notesOn('Contacts', contact ?? '', ['a', 'b']);
    const before = (await json(fetch(`${zoho.url}/__sandbox/counters`))).budget.creditsUsed;
    await zoho.api('DELETE', `/Notes?ids=${a},${b}`);
    const after = (await json(fetch(`${zoho.url}/__sandbox/counters`))).budget.creditsUsed;
    expect(after - before).toBe(1);
  });
});
