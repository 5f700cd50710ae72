import { markerIn } from '../../src/crms/kit/day-marker.js';
import { ReferenceCrm } from '../../src/crms/reference/crm.js';
import { ReferenceDestination, type ReferenceOptions } from '../../src/crms/reference/destination.js';
import { type ConformanceTarget, describeDestinationConformance } from './conformance.js';

/** The reference CRM in one of the contract's shapes, as the suite's target. */
function referenceTarget(shape: Pick<ReferenceOptions, 'keys' | 'attachments'>): ConformanceTarget {
  const crm = new ReferenceCrm();
  const destination = new ReferenceDestination(crm, { apiKey: crm.apiKey, ...shape });
  return {
    destination,
    seed: async (type, fields) =>
      crm.seed({
        type,
        name: [fields.firstName, fields.lastName].filter(Boolean).join(' '),
        phones: [fields.phone],
        company: type === 'lead' ? 'Acme' : undefined,
      }).id,
    deleteRecord: async (record) => {
      crm.deleteRecord(record.id);
    },
    convertLead: async (id) => {
      crm.convertLead(id);
    },
    transcriptsOn: async (record) => crm.transcriptsOf(record.id).map((transcript) => transcript.text),
    // By key, the CRM holds one transcript per key by construction; by marker, a day written twice
    // is two notes carrying one marker, and a note without one is none of wasync's days.
    duplicatesOn: async (record) => {
      const seen = new Set<string>();
      const extra: string[] = [];
      for (const transcript of crm.transcriptsOf(record.id)) {
        const day = transcript.key ?? markerIn(transcript.text);
        if (day === undefined) extra.push(`a note on no day: ${transcript.id}`);
        else if (seen.has(day)) extra.push(`a second note for ${day}: ${transcript.id}`);
        else seen.add(day);
      }
      return extra;
    },
    filesOn: async (record) =>
      crm
        .allAttachments()
        .filter((file) => file.record.id === record.id)
        .map((file) => file.fileName),
    faults: {
      failNext: async (fault, options) => crm.failNext(fault, options),
      clear: async () => crm.clearFaults(),
      sendsRetryAfter: true,
    },
  };
}

describeDestinationConformance('Reference', async () => referenceTarget({}));
describeDestinationConformance('Reference, found again by a marker in the note', async () =>
  referenceTarget({ keys: 'marker' }),
);
