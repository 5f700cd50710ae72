import { afterAll, beforeAll } from 'vitest';
import { SalesforceDestination } from '../../src/crms/salesforce/destination.js';
import { sandboxTransport, startTestOrg, type TestOrg } from '../support/salesforce-org.js';
import { describeDestinationConformance } from './conformance.js';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(() => org.close());

describeDestinationConformance('Salesforce', async () => {
  await org.reset();
  const destination = new SalesforceDestination(sandboxTransport(org.url));
  const chatRecordsOf = async (id: string) =>
    (await org.records('WhatsApp_Chat__c')).filter((row) => row.Contact__c === id || row.Lead__c === id);
  return {
    destination,
    seed: (type, fields) =>
      org.seed(type === 'contact' ? 'Contact' : 'Lead', {
        FirstName: fields.firstName,
        LastName: fields.lastName,
        Phone: fields.phone,
        ...(type === 'lead' ? { Company: 'Acme' } : {}),
      }),
    transcriptsOn: async (record) => (await chatRecordsOf(record.id)).map((row) => String(row.Transcript__c)),
    filesOn: async (record) => {
      const chats = new Set((await chatRecordsOf(record.id)).map((row) => row.Id));
      return (await org.records('ContentVersion'))
        .filter((v) => v.FileType !== 'SNOTE' && chats.has(String(v.FirstPublishLocationId)))
        .map((v) => String(v.Title));
    },
  };
});
