import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA, grantFieldAccess, type SandboxHarness, startSandbox } from './support.js';

const CUSTOM_OBJECT = `<metadata xsi:type="CustomObject"><fullName>WhatsApp_Chat__c</fullName><label>WhatsApp Chat</label><pluralLabel>WhatsApp Chats</pluralLabel>
  <nameField><type>AutoNumber</type><label>Chat #</label><displayFormat>WA-{000000}</displayFormat></nameField>
  <deploymentStatus>Deployed</deploymentStatus><sharingModel>ReadWrite</sharingModel></metadata>`;

const field = (name: string, inner: string) =>
  `<metadata xsi:type="CustomField"><fullName>WhatsApp_Chat__c.${name}</fullName><label>${name}</label>${inner}</metadata>`;

const FIELD_NAMES = [
  'Chat_Key__c',
  'Contact__c',
  'Lead__c',
  'Transcript__c',
  'Message_Count__c',
  'First_Message_At__c',
  'Last_Message_At__c',
  'Chat_Type__c',
  'Group_Name__c',
];

const FIELDS = [
  field(
    'Chat_Key__c',
    '<type>Text</type><length>255</length><externalId>true</externalId><unique>true</unique>',
  ),
  field(
    'Contact__c',
    '<type>Lookup</type><referenceTo>Contact</referenceTo><relationshipName>WhatsApp_Chats</relationshipName><deleteConstraint>SetNull</deleteConstraint>',
  ),
  field(
    'Lead__c',
    '<type>Lookup</type><referenceTo>Lead</referenceTo><relationshipName>WhatsApp_Chats</relationshipName>',
  ),
  field('Transcript__c', '<type>LongTextArea</type><length>131072</length><visibleLines>20</visibleLines>'),
  field('Message_Count__c', '<type>Number</type><precision>18</precision><scale>0</scale>'),
  field('First_Message_At__c', '<type>DateTime</type>'),
  field('Last_Message_At__c', '<type>DateTime</type>'),
  field('Chat_Type__c', '<type>Text</type><length>40</length>'),
  field('Group_Name__c', '<type>Text</type><length>255</length>'),
];

function envelope(sessionId: string, components: string[], operation = 'createMetadata'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soapenv:Header><SessionHeader xmlns="http://soap.sforce.com/2006/04/metadata"><sessionId>${sessionId}</sessionId></SessionHeader></soapenv:Header>
  <soapenv:Body><${operation} xmlns="http://soap.sforce.com/2006/04/metadata">${components.join('')}</${operation}></soapenv:Body>
</soapenv:Envelope>`;
}

describe('Salesforce sandbox: WhatsApp_Chat__c and the Metadata API', () => {
  let h: SandboxHarness;
  let session: string;
  const soap = (xml: string) =>
    h.sandbox.app.inject({
      method: 'POST',
      url: '/services/Soap/m/62.0',
      headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: '""' },
      payload: xml,
    });
  beforeEach(async () => {
    h = await startSandbox();
    session = h.auth.authorization.replace('Bearer ', '');
  });
  afterEach(() => h.close());

  it('answers 404 NOT_FOUND for the custom object until it is deployed', async () => {
    const describe = await h.api('GET', `${DATA}/sobjects/WhatsApp_Chat__c/describe`);
    expect(describe.statusCode).toBe(404);
    expect(describe.json()).toEqual([
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
    const upsert = await h.api('PATCH', `${DATA}/sobjects/WhatsApp_Chat__c/Chat_Key__c/k1`, {
      Transcript__c: 'x',
    });
    expect(upsert.statusCode).toBe(404);
    const create = await h.api('POST', `${DATA}/sobjects/WhatsApp_Chat__c`, { Transcript__c: 'x' });
    expect(create.json()[0].errorCode).toBe('NOT_FOUND');
  });

  it('deploys the object and its fields through createMetadata, then accepts chats', async () => {
    const response = await soap(envelope(session, [CUSTOM_OBJECT, ...FIELDS]));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/xml');
    expect(response.body).toContain('<createMetadataResponse>');
    expect(response.body.match(/<success>true<\/success>/g)).toHaveLength(10);
    expect(response.body).toContain('<fullName>WhatsApp_Chat__c.Chat_Key__c</fullName>');

    // Deployed, but no one may see the fields yet: field-level security comes with a grant.
    const hidden = await h.api('PATCH', `${DATA}/sobjects/WhatsApp_Chat__c/Chat_Key__c/k1`, {});
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()[0].message).toBe(
      'Provided external ID field does not exist or is not accessible: Chat_Key__c',
    );
    await grantFieldAccess(h, 'WhatsApp_Chat__c', FIELD_NAMES);

    const describe = (await h.api('GET', `${DATA}/sobjects/WhatsApp_Chat__c/describe`)).json();
    expect(describe).toMatchObject({ name: 'WhatsApp_Chat__c', custom: true, keyPrefix: 'a0X' });
    expect(describe.fields.find((f: { name: string }) => f.name === 'Chat_Key__c')).toMatchObject({
      externalId: true,
      unique: true,
      idLookup: true,
    });
    expect(describe.fields.find((f: { name: string }) => f.name === 'Contact__c')).toMatchObject({
      referenceTo: ['Contact'],
      relationshipName: 'Contact__r',
    });

    const [contact] = await h.seed('Contact', [{ FirstName: 'Ana', LastName: 'Silva' }]);
    const upsert = await h.api('PATCH', `${DATA}/sobjects/WhatsApp_Chat__c/Chat_Key__c/k1`, {
      Contact__c: contact,
      Transcript__c: 'hello',
      First_Message_At__c: '2026-08-01T09:00:00Z',
      Chat_Type__c: 'individual',
    });
    expect(upsert.statusCode).toBe(201);
    expect(upsert.json().id).toMatch(/^a0X/);
    const rows = (
      await h.query(
        "SELECT Name, Contact__r.Name, First_Message_At__c FROM WhatsApp_Chat__c WHERE Chat_Key__c = 'k1'",
      )
    ).json().records;
    expect(rows).toEqual([
      expect.objectContaining({
        Name: 'WA-000001',
        First_Message_At__c: '2026-08-01T09:00:00.000+0000',
        Contact__r: expect.objectContaining({ Name: 'Ana Silva' }),
      }),
    ]);
  });

  it('enforces the LongTextArea length with STRING_TOO_LONG and the unique key with DUPLICATE_VALUE', async () => {
    await soap(envelope(session, [CUSTOM_OBJECT, ...FIELDS]));
    await grantFieldAccess(h, 'WhatsApp_Chat__c', FIELD_NAMES);
    const tooLong = await h.api('POST', `${DATA}/sobjects/WhatsApp_Chat__c`, {
      Chat_Key__c: 'k',
      Transcript__c: 'x'.repeat(131_073),
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()[0]).toMatchObject({ errorCode: 'STRING_TOO_LONG', fields: ['Transcript__c'] });
    expect(
      (
        await h.api('POST', `${DATA}/sobjects/WhatsApp_Chat__c`, {
          Chat_Key__c: 'k',
          Transcript__c: 'x'.repeat(131_072),
        })
      ).statusCode,
    ).toBe(201);
    const duplicate = await h.api('POST', `${DATA}/sobjects/WhatsApp_Chat__c`, { Chat_Key__c: 'K' });
    expect(duplicate.json()[0].errorCode).toBe('DUPLICATE_VALUE');
  });

  it('rejects writes to fields that were never deployed', async () => {
    await soap(envelope(session, [CUSTOM_OBJECT, FIELDS[0] ?? '']));
    await grantFieldAccess(h, 'WhatsApp_Chat__c', ['Chat_Key__c']);
    const response = await h.api('POST', `${DATA}/sobjects/WhatsApp_Chat__c`, {
      Chat_Key__c: 'k',
      Transcript__c: 'x',
    });
    expect(response.json()[0]).toMatchObject({ errorCode: 'INVALID_FIELD', fields: ['Transcript__c'] });
  });

  it('reports a component that already exists as a failed SaveResult', async () => {
    await soap(envelope(session, [CUSTOM_OBJECT]));
    const again = await soap(envelope(session, [CUSTOM_OBJECT]));
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('<success>false</success>');
    expect(again.body).toContain('<statusCode>DUPLICATE_DEVELOPER_NAME</statusCode>');
  });

  it('answers SOAP faults for malformed XML, a bad session, too many components and unknown operations', async () => {
    const malformed = await soap('<soapenv:Envelope><soapenv:Body><createMetadata>');
    expect(malformed.statusCode).toBe(500);
    expect(malformed.body).toContain('<faultcode>soapenv:Client</faultcode>');
    const badSession = await soap(envelope('00Dforged!AQ', [CUSTOM_OBJECT]));
    expect(badSession.statusCode).toBe(500);
    expect(badSession.body).toContain('<faultcode>sf:INVALID_SESSION_ID</faultcode>');
    const eleven = await soap(
      envelope(session, [CUSTOM_OBJECT, ...FIELDS, field('Extra__c', '<type>Text</type>')]),
    );
    expect(eleven.body).toContain('EXCEEDED_ID_LIMIT');
    const unknown = await soap(envelope(session, [], 'deleteMetadata'));
    expect(unknown.body).toContain('No operation available');
    expect((await h.api('GET', `${DATA}/sobjects/WhatsApp_Chat__c/describe`)).statusCode).toBe(404);
  });
});
