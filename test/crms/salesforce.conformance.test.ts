import { afterAll, beforeAll } from 'vitest';
import { SalesforceDestination } from '../../src/crms/salesforce/destination.js';
import type { SalesforceFault } from '../../src/sandboxes/salesforce/faults.js';
import { sandboxTransport, startTestOrg, type TestOrg } from '../support/salesforce-org.js';
import { type ConformanceFault, describeDestinationConformance } from './conformance.js';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(() => org.close());

/**
 * Each fault as an org answers it (see the sandbox's faults.ts): the rate limit is the concurrent
 * request limit (403 REQUEST_LIMIT_EXCEEDED), an outage 503 SERVER_UNAVAILABLE, refused credentials
 * 401 INVALID_SESSION_ID. Salesforce sends no Retry-After, so `retryAfterSeconds` has no say.
 */
const SANDBOX_FAULT: Record<ConformanceFault['kind'], SalesforceFault> = {
  'rate-limit': 'concurrency',
  unavailable: '503',
  unauthorized: 'invalid-session',
  'lost-answer': 'lost-answer',
};

describeDestinationConformance('Salesforce', async () => {
  await org.reset();
  const destination = new SalesforceDestination(sandboxTransport(org.url));
  const chatRecordsOf = async (id: string) =>
    (await org.records('WhatsApp_Chat__c')).filter((row) => row.Contact__c === id || row.Lead__c === id);
  const sandbox = (method: string, path: string, body?: unknown) => org.inspect(method, path, body);
  return {
    destination,
    seed: (type, fields) =>
      org.seed(type === 'contact' ? 'Contact' : 'Lead', {
        FirstName: fields.firstName,
        LastName: fields.lastName,
        Phone: fields.phone,
        ...(type === 'lead' ? { Company: 'Acme' } : {}),
      }),
    deleteRecord: async (record) => {
      await sandbox('DELETE', `records/${record.type === 'contact' ? 'Contact' : 'Lead'}/${record.id}`);
    },
    convertLead: async (id) => {
      await sandbox('POST', `leads/${id}/convert`);
    },
    transcriptsOn: async (record) => (await chatRecordsOf(record.id)).map((row) => String(row.Transcript__c)),
    // A contact's day is a chat record and one note linked to it and to the contact; a lead's day is
    // the chat record alone.
    duplicatesOn: async (record) => {
      const notes = new Set((await org.records('ContentNote')).map((note) => note.Id));
      const noteLinks = (await org.records('ContentDocumentLink')).filter((link) =>
        notes.has(String(link.ContentDocumentId)),
      );
      const notesOn = (id: string) =>
        noteLinks.filter((link) => link.LinkedEntityId === id).map((link) => String(link.ContentDocumentId));
      const loose = new Set(notesOn(record.id));
      const problems: string[] = [];
      for (const chat of await chatRecordsOf(record.id)) {
        const onChat = notesOn(chat.Id);
        const expected = record.type === 'contact' ? 1 : 0;
        if (onChat.length !== expected)
          problems.push(`${String(chat.Chat_Key__c)} has ${onChat.length} notes, not ${expected}`);
        for (const note of onChat) loose.delete(note);
      }
      for (const note of loose) problems.push(`note ${note} is on the record but on no day`);
      return problems;
    },
    filesOn: async (record) => {
      const chats = new Set((await chatRecordsOf(record.id)).map((row) => row.Id));
      return (await org.records('ContentVersion'))
        .filter((v) => v.FileType !== 'SNOTE' && chats.has(String(v.FirstPublishLocationId)))
        .map((v) => String(v.Title));
    },
    faults: {
      failNext: async (fault, options = {}) => {
        await sandbox('POST', 'faults', { kind: SANDBOX_FAULT[fault.kind], ...options });
      },
      clear: async () => {
        await sandbox('DELETE', 'faults');
      },
      sendsRetryAfter: false,
    },
  };
});
