import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA, grantFieldAccess, type SandboxHarness, startSandbox } from './support.js';

const FIELD = (name: string, inner: string) =>
  `<metadata xsi:type="CustomField"><fullName>Contact.${name}</fullName><label>${name}</label>${inner}</metadata>`;

/** One custom field on Contact, deployed through createMetadata and so visible to no one yet. */
async function deployField(h: SandboxHarness, name = 'WhatsApp_Id__c'): Promise<void> {
  const session = h.auth.authorization.replace('Bearer ', '');
  const response = await h.sandbox.app.inject({
    method: 'POST',
    url: '/services/Soap/m/62.0',
    headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: '""' },
    payload: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header><SessionHeader xmlns="http://soap.sforce.com/2006/04/metadata"><sessionId>${session}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><createMetadata xmlns="http://soap.sforce.com/2006/04/metadata">${FIELD(name, '<type>Text</type><length>40</length>')}</createMetadata></soapenv:Body></soapenv:Envelope>`,
  });
  expect(response.body).toContain('<success>true</success>');
}

const fieldNames = async (h: SandboxHarness) =>
  ((await h.api('GET', `${DATA}/sobjects/Contact/describe`)).json().fields as { name: string }[]).map(
    (f) => f.name,
  );

describe('Salesforce sandbox: field-level security', () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startSandbox();
  });
  afterEach(() => h.close());

  it('hides a field deployed through the Metadata API from describe, SOQL and writes until granted', async () => {
    await deployField(h);
    expect(await fieldNames(h)).not.toContain('WhatsApp_Id__c');
    const query = await h.query('SELECT Id, WhatsApp_Id__c FROM Contact');
    expect(query.statusCode).toBe(400);
    expect(query.json()[0].errorCode).toBe('INVALID_FIELD');
    const write = await h.api('POST', `${DATA}/sobjects/Contact`, { LastName: 'Silva', WhatsApp_Id__c: 'x' });
    expect(write.json()[0]).toMatchObject({ errorCode: 'INVALID_FIELD', fields: ['WhatsApp_Id__c'] });

    await grantFieldAccess(h, 'Contact', ['WhatsApp_Id__c']);
    expect(await fieldNames(h)).toContain('WhatsApp_Id__c');
    const granted = await h.api('POST', `${DATA}/sobjects/Contact`, {
      LastName: 'Silva',
      WhatsApp_Id__c: 'x',
    });
    expect(granted.statusCode).toBe(201);
    expect((await h.query('SELECT WhatsApp_Id__c FROM Contact')).json().records[0].WhatsApp_Id__c).toBe('x');
  });

  it('makes a field granted Read without Edit read-only', async () => {
    await deployField(h);
    await grantFieldAccess(h, 'Contact', ['WhatsApp_Id__c'], { edit: false });
    const describe = (await h.api('GET', `${DATA}/sobjects/Contact/describe`)).json();
    expect(describe.fields.find((f: { name: string }) => f.name === 'WhatsApp_Id__c')).toMatchObject({
      createable: false,
      updateable: false,
    });
    const write = await h.api('POST', `${DATA}/sobjects/Contact`, { LastName: 'Silva', WhatsApp_Id__c: 'x' });
    expect(write.json()[0].errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('grants nothing through a permission set that is not assigned to the user', async () => {
    await deployField(h);
    const set = (
      await h.api('POST', `${DATA}/sobjects/PermissionSet`, { Name: 'Unassigned', Label: 'U' })
    ).json().id;
    const row = await h.api('POST', `${DATA}/sobjects/FieldPermissions`, {
      ParentId: set,
      SobjectType: 'Contact',
      Field: 'Contact.WhatsApp_Id__c',
      PermissionsRead: true,
      PermissionsEdit: true,
    });
    expect(row.statusCode).toBe(201);
    expect(await fieldNames(h)).not.toContain('WhatsApp_Id__c');
  });

  it('answers permission records to SOQL, as setup reads them back', async () => {
    await deployField(h);
    const set = await grantFieldAccess(h, 'Contact', ['WhatsApp_Id__c'], { name: 'WhatsApp_Backup' });
    const sets = (await h.query("SELECT Id, Label FROM PermissionSet WHERE Name = 'WhatsApp_Backup'")).json();
    expect(sets.records).toEqual([expect.objectContaining({ Id: set, Label: 'WhatsApp Backup' })]);
    const fields = (
      await h.query(
        `SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = '${set}'`,
      )
    ).json();
    expect(fields.records).toEqual([
      expect.objectContaining({
        Field: 'Contact.WhatsApp_Id__c',
        PermissionsRead: true,
        PermissionsEdit: true,
      }),
    ]);
    const assigned = (
      await h.query(`SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSetId = '${set}'`)
    ).json();
    expect(assigned.totalSize).toBe(1);
  });

  it('refuses what an org refuses: required fields, Edit without Read, duplicates', async () => {
    const set = (await h.api('POST', `${DATA}/sobjects/PermissionSet`, { Name: 'P1', Label: 'P1' })).json()
      .id;
    const grant = (field: string, extra: Record<string, unknown> = {}) =>
      h.api('POST', `${DATA}/sobjects/FieldPermissions`, {
        ParentId: set,
        SobjectType: 'Contact',
        Field: field,
        PermissionsRead: true,
        ...extra,
      });
    const required = await grant('Contact.LastName');
    expect(required.json()[0]).toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Field Name: bad value for restricted picklist field: Contact.LastName',
    });
    expect((await grant('Contact.Nope__c')).json()[0].errorCode).toBe(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    );
    const editOnly = await grant('Contact.Title', { PermissionsRead: false, PermissionsEdit: true });
    expect(editOnly.statusCode).toBe(400);
    expect((await grant('Contact.Title')).statusCode).toBe(201);
    expect((await grant('Contact.Title')).json()[0].errorCode).toBe('DUPLICATE_VALUE');

    const duplicateName = await h.api('POST', `${DATA}/sobjects/PermissionSet`, {
      Name: 'p1',
      Label: 'Again',
    });
    expect(duplicateName.json()[0].errorCode).toBe('DUPLICATE_DEVELOPER_NAME');
    const badName = await h.api('POST', `${DATA}/sobjects/PermissionSet`, { Name: 'Two__Parts', Label: 'x' });
    expect(badName.statusCode).toBe(400);

    const user = (await h.sandbox.app.inject({ method: 'GET', url: '/__sandbox' })).json().integrationUserId;
    const assign = () =>
      h.api('POST', `${DATA}/sobjects/PermissionSetAssignment`, { PermissionSetId: set, AssigneeId: user });
    expect((await assign()).statusCode).toBe(201);
    expect((await assign()).json()[0].errorCode).toBe('DUPLICATE_VALUE');
  });
});
