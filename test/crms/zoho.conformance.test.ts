import { afterAll, beforeAll } from 'vitest';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import type { ZohoFaultKind } from '../../src/sandboxes/zoho/index.js';
import { startTestZoho, type TestZoho, type ZohoSandboxRow } from '../support/zoho-org.js';
import { type ConformanceFault, describeDestinationConformance } from './conformance.js';

let zoho: TestZoho;
beforeAll(async () => {
  zoho = await startTestZoho();
});
afterAll(() => zoho.close());

/**
 * Each fault as Zoho answers it (the sandbox's options.ts): the rate limit 429 RATE_LIMIT_EXCEEDED, an
 * outage 500 INTERNAL_ERROR, refused credentials 401 INVALID_TOKEN (which the adapter answers with one
 * refresh, then parks). Zoho sends no Retry-After.
 */
const SANDBOX_FAULT: Record<ConformanceFault['kind'], ZohoFaultKind> = {
  'rate-limit': '429',
  unavailable: '500',
  unauthorized: 'invalid-token',
  'lost-answer': 'lost-answer',
};

const parentOf = (note: ZohoSandboxRow) => String(note.Parent_Id?.id);

describeDestinationConformance('Zoho CRM', async () => {
  await zoho.reset();
  const notesOn = async (id: string) => (await zoho.notes()).filter((note) => parentOf(note) === id);
  return {
    destination: zoho.destination(),
    seed: (type, fields) =>
      zoho.seed(type === 'contact' ? 'Contacts' : 'Leads', {
        ...(fields.firstName ? { First_Name: fields.firstName } : {}),
        Last_Name: fields.lastName,
        Phone: fields.phone,
        ...(type === 'lead' ? { Company: 'Acme' } : {}),
      }),
    deleteRecord: async (record) => {
      await zoho.inspect('DELETE', `records/${record.id}`);
    },
    convertLead: async (id) => {
      await zoho.inspect('POST', `leads/${id}/convert`);
    },
    // A day is a note carrying its marker; the text is the note's content.
    transcriptsOn: async (record) =>
      (await notesOn(record.id))
        .filter((note) => markerIn(String(note.Note_Content)) !== undefined)
        .map((note) => String(note.Note_Content)),
    duplicatesOn: async (record) => {
      const seen = new Map<string, number>();
      const problems: string[] = [];
      for (const note of await notesOn(record.id)) {
        const marker = markerIn(String(note.Note_Content));
        if (marker === undefined) problems.push(`note ${note.id} carries no day marker`);
        else seen.set(marker, (seen.get(marker) ?? 0) + 1);
      }
      for (const [marker, count] of seen) if (count > 1) problems.push(`${count} notes carry ${marker}`);
      return problems;
    },
    filesOn: async (record) =>
      (await zoho.attachments())
        .filter((attachment) => String(attachment.Parent_Id?.id) === record.id)
        .map((attachment) => String(attachment.File_Name)),
    faults: {
      failNext: async (fault, options = {}) => {
        await zoho.inspect('POST', 'faults', { kind: SANDBOX_FAULT[fault.kind], ...options });
      },
      clear: async () => {
        await zoho.inspect('DELETE', 'faults');
      },
      sendsRetryAfter: false,
    },
  };
});
