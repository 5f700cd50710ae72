import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA, type SandboxHarness, startSandbox } from './support.js';

const contacts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ attributes: { type: 'Contact' }, LastName: `C${i}` }));

describe('Salesforce sandbox: composite and sObject collections', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startSandbox({ customObjectDeployed: true });
  });
  afterEach(() => h.close());

  it('refuses a composite call with 26 subrequests and runs none of them', async () => {
    const compositeRequest = Array.from({ length: 26 }, (_, i) => ({
      method: 'POST',
      url: `${DATA}/sobjects/Contact`,
      referenceId: `c${i}`,
      body: { LastName: `C${i}` },
    }));
    const response = await h.api('POST', `${DATA}/composite`, { compositeRequest });
    expect(response.statusCode).toBe(400);
    expect(response.json()[0].message).toContain('25');
    expect(await h.records('Contact')).toEqual([]);
  });

  const querySub = (i: number) => ({
    method: 'GET',
    url: `${DATA}/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`,
    referenceId: `q${i}`,
  });
  const createSub = (i: number) => ({
    method: 'POST',
    url: `${DATA}/sobjects/Contact`,
    referenceId: `c${i}`,
    body: { LastName: `C${i}` },
  });

  it('refuses a sixth query subrequest and runs none of the others', async () => {
    const compositeRequest = [createSub(0), ...Array.from({ length: 6 }, (_, i) => querySub(i))];
    const response = await h.api('POST', `${DATA}/composite`, { compositeRequest });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual([
      {
        errorCode: 'LIMIT_EXCEEDED',
        message: expect.stringContaining('at most 5 query or sObject Collections subrequests'),
      },
    ]);
    expect(await h.records('Contact')).toEqual([]);
  });

  it('counts queries, QueryAll and sObject Collections together against the five', async () => {
    const compositeRequest = [
      querySub(0),
      querySub(1),
      {
        method: 'GET',
        url: `${DATA}/queryAll?q=${encodeURIComponent('SELECT Id FROM Lead')}`,
        referenceId: 'all',
      },
      ...[0, 1, 2].map((i) => ({
        method: 'POST',
        url: `${DATA}/composite/sobjects`,
        referenceId: `col${i}`,
        body: { records: contacts(2) },
      })),
    ];
    const response = await h.api('POST', `${DATA}/composite`, { compositeRequest });
    expect(response.statusCode).toBe(400);
    expect(response.json()[0].errorCode).toBe('LIMIT_EXCEEDED');
    expect(await h.records('Contact')).toEqual([]);
  });

  it('runs five queries beside twenty other subrequests', async () => {
    const compositeRequest = [
      ...Array.from({ length: 20 }, (_, i) => createSub(i)),
      ...Array.from({ length: 5 }, (_, i) => querySub(i)),
    ];
    const response = await h.api('POST', `${DATA}/composite`, { compositeRequest });
    expect(response.statusCode).toBe(200);
    const results = response.json().compositeResponse as { httpStatusCode: number; body: unknown }[];
    expect(results.map((r) => r.httpStatusCode)).toEqual([...Array(20).fill(201), ...Array(5).fill(200)]);
    expect(results.at(-1)?.body).toMatchObject({ totalSize: 20 });
  });

  it('refuses a SOSL search inside a composite call (Composite runs sObject, query and collection resources)', async () => {
    const response = await h.api('POST', `${DATA}/composite`, {
      compositeRequest: [
        createSub(0),
        {
          method: 'GET',
          url: `${DATA}/search?q=${encodeURIComponent('FIND {5551234567} IN PHONE FIELDS RETURNING Contact(Id)')}`,
          referenceId: 'found',
        },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(await h.records('Contact')).toEqual([]);
  });

  it('counts a composite call as one API request and chains a query result into the next subrequest', async () => {
    await h.seed('Contact', [{ LastName: 'Silva', Phone: '(11) 98765-4321' }]);
    const response = await h.api('POST', `${DATA}/composite`, {
      compositeRequest: [
        {
          method: 'GET',
          url: `${DATA}/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE Phone = '(11) 98765-4321'")}`,
          referenceId: 'found',
        },
        {
          method: 'PATCH',
          url: `${DATA}/sobjects/WhatsApp_Chat__c/Chat_Key__c/k1`,
          referenceId: 'chat',
          body: { Contact__c: '@{found.records[0].Id}' },
        },
      ],
    });
    const [found, chat] = response.json().compositeResponse;
    expect(found.httpStatusCode).toBe(200);
    expect(chat).toMatchObject({ httpStatusCode: 201, body: { created: true } });
    expect(response.headers['sforce-limit-info']).toBe('api-usage=1/100000');
  });

  it('without allOrNone, a failed subrequest leaves the others applied', async () => {
    const response = await h.api('POST', `${DATA}/composite`, {
      allOrNone: false,
      compositeRequest: [
        { method: 'POST', url: `${DATA}/sobjects/Contact`, referenceId: 'ok', body: { LastName: 'Kept' } },
        {
          method: 'POST',
          url: `${DATA}/sobjects/Contact`,
          referenceId: 'bad',
          body: { FirstName: 'NoLast' },
        },
      ],
    });
    expect(
      response.json().compositeResponse.map((r: { httpStatusCode: number }) => r.httpStatusCode),
    ).toEqual([201, 400]);
    expect((await h.records('Contact')).map((c) => c.LastName)).toEqual(['Kept']);
  });

  it('an allOrNone rollback never wipes writes that other requests made meanwhile', async () => {
    const compositeRequest = [
      ...Array.from({ length: 10 }, (_, i) => ({
        method: 'POST',
        url: `${DATA}/sobjects/Contact`,
        referenceId: `c${i}`,
        body: { LastName: `Composite${i}` },
      })),
      { method: 'POST', url: `${DATA}/sobjects/Contact`, referenceId: 'bad', body: {} },
    ];
    const [composite, ...direct] = await Promise.all([
      h.api('POST', `${DATA}/composite`, { allOrNone: true, compositeRequest }),
      ...Array.from({ length: 10 }, (_, i) =>
        h.api('POST', `${DATA}/sobjects/Contact`, { LastName: `Direct${i}` }),
      ),
    ]);
    expect(composite?.json().compositeResponse.at(-1).httpStatusCode).toBe(400);
    expect(direct.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    const names = (await h.records('Contact')).map((c) => String(c.LastName)).sort();
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `Direct${i}`).sort());
  });

  it('creates 200 records in one collection call, results in input order', async () => {
    const response = await h.api('POST', `${DATA}/composite/sobjects`, {
      allOrNone: false,
      records: contacts(200),
    });
    expect(response.statusCode).toBe(200);
    const results = response.json();
    expect(results).toHaveLength(200);
    expect(results.every((r: { success: boolean; id: string }) => r.success && r.id.startsWith('003'))).toBe(
      true,
    );
    const stored = new Map((await h.records('Contact')).map((c) => [c.Id, c.LastName]));
    expect(results.map((r: { id: string }) => stored.get(r.id))).toEqual(
      contacts(200).map((c) => c.LastName),
    );
  });

  it('refuses 201 records with EXCEEDED_ID_LIMIT', async () => {
    const response = await h.api('POST', `${DATA}/composite/sobjects`, { records: contacts(201) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual([
      {
        message: 'record limit reached. cannot submit more than 200 records into this call',
        errorCode: 'EXCEEDED_ID_LIMIT',
      },
    ]);
    expect(await h.records('Contact')).toEqual([]);
  });

  it('reports per-record errors, and with allOrNone rolls every record back', async () => {
    const records = [...contacts(2), { attributes: { type: 'Lead' }, LastName: 'NoCompany' }];
    const partial = (await h.api('POST', `${DATA}/composite/sobjects`, { allOrNone: false, records })).json();
    expect(partial.map((r: { success: boolean }) => r.success)).toEqual([true, true, false]);
    expect(partial[2]).toEqual({
      success: false,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: 'Required fields are missing: [Company]',
          fields: ['Company'],
        },
      ],
    });
    const before = (await h.records('Contact')).length;
    const all = (await h.api('POST', `${DATA}/composite/sobjects`, { allOrNone: true, records })).json();
    expect(all[0].errors[0].statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(all[2].errors[0].statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect((await h.records('Contact')).length).toBe(before);
  });

  it('under an allOrNone composite, one record a collection refuses rolls back every subrequest', async () => {
    const records = [...contacts(2), { attributes: { type: 'Lead' }, LastName: 'NoCompany' }];
    const response = await h.api('POST', `${DATA}/composite`, {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${DATA}/sobjects/Contact`, referenceId: 'single', body: { LastName: 'One' } },
        // The collection's own allOrNone: false is overridden by the composite's.
        {
          method: 'POST',
          url: `${DATA}/composite/sobjects`,
          referenceId: 'many',
          body: { allOrNone: false, records },
        },
        {
          method: 'POST',
          url: `${DATA}/sobjects/Contact`,
          referenceId: 'after',
          body: { LastName: '@{many[0].id}' },
        },
      ],
    });
    const [single, many, after] = response.json().compositeResponse;
    expect(single).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
    expect(after).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
    expect(many.body.map((r: { errors: { statusCode: string }[] }) => r.errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'REQUIRED_FIELD_MISSING',
    ]);
    expect(await h.records('Contact')).toEqual([]);
    expect(await h.records('Lead')).toEqual([]);

    // Without allOrNone on the composite, the collection keeps its own choice.
    const partial = await h.api('POST', `${DATA}/composite`, {
      allOrNone: false,
      compositeRequest: [
        {
          method: 'POST',
          url: `${DATA}/composite/sobjects`,
          referenceId: 'many',
          body: { allOrNone: false, records },
        },
      ],
    });
    expect(partial.json().compositeResponse[0].httpStatusCode).toBe(200);
    expect(await h.records('Contact')).toHaveLength(2);
  });

  it('upserts a collection by external id, reporting created per record', async () => {
    await h.api('PATCH', `${DATA}/sobjects/WhatsApp_Chat__c/Chat_Key__c/a`, { Message_Count__c: 1 });
    const response = await h.api('PATCH', `${DATA}/composite/sobjects/WhatsApp_Chat__c/Chat_Key__c`, {
      allOrNone: true,
      records: [
        { attributes: { type: 'WhatsApp_Chat__c' }, Chat_Key__c: 'a', Message_Count__c: 2 },
        { attributes: { type: 'WhatsApp_Chat__c' }, Chat_Key__c: 'b', Message_Count__c: 1 },
      ],
    });
    expect(response.json().map((r: { created: boolean }) => r.created)).toEqual([false, true]);
    const chats = await h.records('WhatsApp_Chat__c');
    expect(chats.map((c) => [c.Chat_Key__c, c.Message_Count__c])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('updates and deletes collections by id', async () => {
    const ids = await h.seed('Contact', [{ LastName: 'A' }, { LastName: 'B' }]);
    const updated = await h.api('PATCH', `${DATA}/composite/sobjects`, {
      records: ids.map((id) => ({ attributes: { type: 'Contact' }, id, MobilePhone: '+1555' })),
    });
    expect(updated.json().every((r: { success: boolean }) => r.success)).toBe(true);
    expect((await h.records('Contact')).map((c) => c.MobilePhone)).toEqual(['+1555', '+1555']);
    const deleted = await h.api('DELETE', `${DATA}/composite/sobjects?ids=${ids.join(',')}`);
    expect(deleted.json()).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect(await h.records('Contact')).toEqual([]);
  });

  it('answers a collection delete per id: deleted, already deleted, malformed, a file version, a locked record', async () => {
    const [kept, locked] = await h.seed('Contact', [{ LastName: 'Kept' }, { LastName: 'Locked' }]);
    const version = (
      await h.api('POST', `${DATA}/sobjects/ContentVersion`, {
        Title: 'a file',
        PathOnClient: 'a.txt',
        VersionData: Buffer.from('bytes').toString('base64'),
      })
    ).json().id as string;
    await h.sandbox.app.inject({ method: 'POST', url: `/__sandbox/locks/${locked}` });
    const first = await h.api(
      'DELETE',
      `${DATA}/composite/sobjects?ids=${kept},${kept},nonsense,${version},${locked}`,
    );
    expect(first.statusCode).toBe(200);
    expect(
      first
        .json()
        .map((r: { success: boolean; errors: { statusCode: string }[] }) => r.errors[0]?.statusCode ?? 'ok'),
    ).toEqual(['ok', 'ENTITY_IS_DELETED', 'MALFORMED_ID', 'INVALID_OPERATION', 'ENTITY_IS_LOCKED']);
    expect((await h.records('Contact')).map((c) => c.Id)).toEqual([locked]);
    expect((await h.records('ContentVersion')).length).toBe(1);
    const tooMany = await h.api(
      'DELETE',
      `${DATA}/composite/sobjects?ids=${Array(201).fill(locked).join(',')}`,
    );
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });
});
