import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA, type SandboxHarness, startSandbox } from './support.js';

describe('Salesforce sandbox: sObject rows', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startSandbox({ customObjectDeployed: true });
  });
  afterEach(() => h.close());

  it('creates a Contact with an 18-char 003 id and system fields, and reads it back', async () => {
    const created = await h.api('POST', `${DATA}/sobjects/Contact`, {
      FirstName: 'Ana',
      LastName: 'Silva',
      MobilePhone: '+5511987654321',
    });
    expect(created.statusCode).toBe(201);
    const { id, success, errors } = created.json();
    expect({ success, errors }).toEqual({ success: true, errors: [] });
    expect(id).toMatch(/^003[A-Za-z0-9]{12}[A-Z0-5]{3}$/);
    const read = (await h.api('GET', `${DATA}/sobjects/Contact/${id}`)).json();
    expect(read).toMatchObject({
      attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${id}` },
      Id: id,
      Name: 'Ana Silva',
      MobilePhone: '+5511987654321',
      Phone: null,
      OwnerId: expect.stringMatching(/^005/),
    });
    expect(read.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const some = (await h.api('GET', `${DATA}/sobjects/Contact/${id}?fields=Name,Phone`)).json();
    expect(Object.keys(some)).toEqual(['attributes', 'Name', 'Phone']);
  });

  it('creates a Lead and accepts 15-char ids in the path', async () => {
    const { id } = (
      await h.api('POST', `${DATA}/sobjects/Lead`, { LastName: 'Doe', Company: 'Unknown (WhatsApp)' })
    ).json();
    expect(id).toMatch(/^00Q/);
    const read = await h.api('GET', `${DATA}/sobjects/Lead/${id.slice(0, 15)}`);
    expect(read.json()).toMatchObject({ Id: id, Status: 'Open - Not Contacted', IsConverted: false });
  });

  it('refuses missing required fields with REQUIRED_FIELD_MISSING and lists them', async () => {
    const contact = await h.api('POST', `${DATA}/sobjects/Contact`, { FirstName: 'Ana' });
    expect(contact.statusCode).toBe(400);
    expect(contact.json()).toEqual([
      {
        message: 'Required fields are missing: [LastName]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['LastName'],
      },
    ]);
    const lead = await h.api('POST', `${DATA}/sobjects/Lead`, { MobilePhone: '+1' });
    expect(lead.json()[0]).toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      fields: ['LastName', 'Company'],
    });
    expect(await h.records('Lead')).toEqual([]);
  });

  it('refuses unknown fields with INVALID_FIELD and read-only ones with INVALID_FIELD_FOR_INSERT_UPDATE', async () => {
    const unknown = await h.api('POST', `${DATA}/sobjects/Contact`, { LastName: 'X', WhatsApp__c: '1' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual([
      {
        message: "No such column 'WhatsApp__c' on sobject of type Contact",
        errorCode: 'INVALID_FIELD',
        fields: ['WhatsApp__c'],
      },
    ]);
    const readOnly = await h.api('POST', `${DATA}/sobjects/Contact`, { LastName: 'X', Name: 'Full' });
    expect(readOnly.json()[0]).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['Name'],
    });
    const malformed = await h.sandbox.app.inject({
      method: 'POST',
      url: `${DATA}/sobjects/Contact`,
      headers: { ...h.auth, 'content-type': 'application/json' },
      payload: '{"LastName":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()[0].errorCode).toBe('JSON_PARSER_ERROR');
  });

  it('updates with PATCH (204), bumps LastModifiedDate, then deletes (204) and answers 404 NOT_FOUND', async () => {
    const [id] = await h.seed('Contact', [{ LastName: 'Silva', LastModifiedDate: '2020-01-01T00:00:00Z' }]);
    const patched = await h.api('PATCH', `${DATA}/sobjects/Contact/${id}`, { Phone: '(11) 98765-4321' });
    expect(patched.statusCode).toBe(204);
    expect(patched.body).toBe('');
    const read = (await h.api('GET', `${DATA}/sobjects/Contact/${id}`)).json();
    expect(read.Phone).toBe('(11) 98765-4321');
    expect(read.LastModifiedDate > '2020-01-01T00:00:00.000+0000').toBe(true);
    expect((await h.api('DELETE', `${DATA}/sobjects/Contact/${id}`)).statusCode).toBe(204);
    const gone = await h.api('GET', `${DATA}/sobjects/Contact/${id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual([
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
  });

  it('upserts by external id: 201 created true, then 200 created false on the same record', async () => {
    const url = `${DATA}/sobjects/WhatsApp_Chat__c/Chat_Key__c/${encodeURIComponent('wa:5511987654321@c.us')}`;
    const [contact] = await h.seed('Contact', [{ LastName: 'Silva' }]);
    const first = await h.api('PATCH', url, {
      Contact__c: contact,
      Transcript__c: 'day 1',
      Message_Count__c: 3,
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ success: true, errors: [], created: true });
    const second = await h.api('PATCH', url, { Transcript__c: 'day 1 + 2', Message_Count__c: 7 });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ id: first.json().id, success: true, errors: [], created: false });
    const chats = await h.records('WhatsApp_Chat__c');
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({
      Name: 'WA-000001',
      Chat_Key__c: 'wa:5511987654321@c.us',
      Contact__c: contact,
      Transcript__c: 'day 1 + 2',
      Message_Count__c: 7,
    });
  });

  it('refuses an upsert on a field that is not an external id', async () => {
    const response = await h.api('PATCH', `${DATA}/sobjects/Contact/Phone/123`, { LastName: 'X' });
    expect(response.statusCode).toBe(404);
    expect(response.json()[0].message).toBe(
      'Provided external ID field does not exist or is not accessible: Phone',
    );
  });

  it('checks lookups: a malformed id is MALFORMED_ID, an id of the wrong object FIELD_INTEGRITY_EXCEPTION', async () => {
    const malformed = await h.api('POST', `${DATA}/sobjects/Contact`, { LastName: 'X', AccountId: 'nope' });
    expect(malformed.json()[0]).toMatchObject({ errorCode: 'MALFORMED_ID', fields: ['AccountId'] });
    const [lead] = await h.seed('Lead', [{ LastName: 'L', Company: 'C' }]);
    const wrong = await h.api('POST', `${DATA}/sobjects/Contact`, { LastName: 'X', AccountId: lead });
    expect(wrong.json()[0]).toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: `Account ID: id value of incorrect type: ${lead}`,
    });
  });

  it('derives Opportunity.IsClosed from the stage and answers describe for standard objects', async () => {
    const [contact] = await h.seed('Contact', [{ LastName: 'Silva' }]);
    await h.seed('Opportunity', [
      {
        Name: 'Open deal',
        StageName: 'Prospecting',
        CloseDate: '2026-12-01',
        Amount: 1000,
        ContactId: contact,
      },
      { Name: 'Won deal', StageName: 'Closed Won', CloseDate: '2026-01-01', Amount: 500, ContactId: contact },
    ]);
    const open = await h.query(
      `SELECT Name, Amount, Contact.Name FROM Opportunity WHERE ContactId = '${contact}' AND IsClosed = false`,
    );
    expect(open.json().records).toEqual([
      expect.objectContaining({
        Name: 'Open deal',
        Amount: 1000,
        Contact: expect.objectContaining({ Name: 'Silva' }),
      }),
    ]);
    const describe = (await h.api('GET', `${DATA}/sobjects/Contact/describe`)).json();
    expect(describe).toMatchObject({ name: 'Contact', keyPrefix: '003' });
    expect(describe.fields.find((f: { name: string }) => f.name === 'MobilePhone')).toMatchObject({
      type: 'phone',
      length: 40,
      updateable: true,
    });
  });
});
