import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

describe('Zoho sandbox records', () => {
  it('creates a contact with a 19-digit string id beyond safe integers, answered 201 inside data[]', async () => {
    zoho = await startZoho();
    const answer = await zoho.api('POST', '/Contacts', {
      data: [{ Last_Name: 'Doe', Mobile: '+15551234567' }],
    });
    expect(answer.status).toBe(201);
    const [result] = (await json(answer)).data;
    expect(result).toMatchObject({ code: 'SUCCESS', status: 'success', message: 'record added' });
    expect(result.details.id).toMatch(/^\d{19}$/);
    expect(BigInt(result.details.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const read = (await (await zoho.api('GET', `/Contacts/${result.details.id}`)).json()) as Answer;
    expect(read.data[0]).toMatchObject({ id: result.details.id, Last_Name: 'Doe', Mobile: '+15551234567' });
  });

  it('refuses a record without Last_Name per record (MANDATORY_NOT_FOUND), 207 beside a good one', async () => {
    zoho = await startZoho();
    const answer = await zoho.api('POST', '/Contacts', {
      data: [{ Last_Name: 'Ok' }, { First_Name: 'No last' }],
    });
    expect(answer.status).toBe(207);
    const [ok, refused] = (await json(answer)).data;
    expect(ok.code).toBe('SUCCESS');
    expect(refused).toEqual({
      code: 'MANDATORY_NOT_FOUND',
      details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' },
      message: 'required field not found',
      status: 'error',
    });
    const alone = await zoho.api('POST', '/Contacts', { data: [{ First_Name: 'x' }] });
    expect(alone.status).toBe(400);
  });

  it("requires a lead's Company (layout-mandatory) unless the option turns it off", async () => {
    zoho = await startZoho();
    const refused = (await (
      await zoho.api('POST', '/Leads', { data: [{ Last_Name: 'Lead' }] })
    ).json()) as Answer;
    expect(refused.data[0]).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Company' } });
    await zoho.close();
    zoho = await startZoho({ leadCompanyMandatory: false });
    expect((await zoho.api('POST', '/Leads', { data: [{ Last_Name: 'Lead' }] })).status).toBe(201);
  });

  it('refuses too long a phone and an unknown field as INVALID_DATA', async () => {
    zoho = await startZoho();
    const answer = (await (
      await zoho.api('POST', '/Contacts', {
        data: [
          { Last_Name: 'A', Mobile: '1'.repeat(31) },
          { Last_Name: 'B', Shoe_Size: '9' },
        ],
      })
    ).json()) as Answer;
    expect(answer.data[0]).toMatchObject({
      code: 'INVALID_DATA',
      details: { api_name: 'Mobile', maximum_length: 30 },
    });
    expect(answer.data[1]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Shoe_Size' } });
  });

  it('refuses more than 100 records in one call and writes none', async () => {
    zoho = await startZoho();
    const data = Array.from({ length: 101 }, (_, i) => ({ Last_Name: `N${i}` }));
    const answer = await zoho.api('POST', '/Contacts', { data });
    expect(answer.status).toBe(400);
    expect((await json(answer)).code).toBe('LIMIT_EXCEEDED');
    const listed = (await (await fetch(`${zoho.url}/__sandbox/records?module=Contacts`)).json()) as Answer;
    expect(listed.records).toHaveLength(0);
    expect((await zoho.api('POST', '/Contacts', { data: data.slice(0, 100) })).status).toBe(201);
  });

  it('refuses a value already held in a unique field as DUPLICATE_DATA naming the record', async () => {
    zoho = await startZoho({ uniqueFields: { Contacts: ['Email'] } });
    const [id] = await zoho.seed('Contacts', [{ Last_Name: 'First', Email: 'a@example.test' }]);
    const answer = (await (
      await zoho.api('POST', '/Contacts', { data: [{ Last_Name: 'Second', Email: 'a@example.test' }] })
    ).json()) as Answer;
    expect(answer.data[0]).toMatchObject({
      code: 'DUPLICATE_DATA',
      details: { api_name: 'Email', duplicate_record: { id } },
    });
  });

  it('upserts on duplicate_check_fields: insert, then update of the same record', async () => {
    zoho = await startZoho();
    const body = { data: [{ Last_Name: 'Doe', Mobile: '+15550001' }], duplicate_check_fields: ['Mobile'] };
    const inserted = await zoho.api('POST', '/Contacts/upsert', body);
    expect(inserted.status).toBe(200);
    const first = (await json(inserted)).data[0];
    expect(first).toMatchObject({ action: 'insert', message: 'record added' });
    const second = (
      await json(
        zoho.api('POST', '/Contacts/upsert', { ...body, data: [{ Last_Name: 'Doe2', Mobile: '+15550001' }] }),
      )
    ).data[0];
    expect(second).toMatchObject({ action: 'update', duplicate_field: 'Mobile', message: 'record updated' });
    expect(second.details.id).toBe(first.details.id);
  });

  it('updates a record by id, and refuses an unknown id per record', async () => {
    zoho = await startZoho();
    const [id] = await zoho.seed('Contacts', [{ Last_Name: 'Doe' }]);
    expect((await zoho.api('PUT', '/Contacts', { data: [{ id, Phone: '+1 555 0100' }] })).status).toBe(200);
    expect((await json(zoho.api('GET', `/Contacts/${id}`))).data[0].Phone).toBe('+1 555 0100');
    const refused = await zoho.api('PUT', '/Contacts', { data: [{ id: '4876819000009999999', Phone: '1' }] });
    expect(refused.status).toBe(400);
    expect((await json(refused)).data[0]).toMatchObject({
      code: 'INVALID_DATA',
      details: { id: '4876819000009999999' },
    });
  });

  it('answers 204 with an empty body for an unknown record, INVALID_MODULE and INVALID_URL_PATTERN', async () => {
    zoho = await startZoho();
    const missing = await zoho.api('GET', '/Contacts/4876819000009999999');
    expect(missing.status).toBe(204);
    expect(await missing.text()).toBe('');
    const module = await zoho.api('GET', '/Widgets/1');
    expect(module.status).toBe(400);
    expect(await json(module)).toEqual({
      code: 'INVALID_MODULE',
      details: {},
      message: 'the module name given seems to be invalid',
      status: 'error',
    });
    const url = await zoho.api('GET', '/Contacts/1/2/3/4');
    expect(url.status).toBe(404);
    expect((await json(url)).code).toBe('INVALID_URL_PATTERN');
  });
});
