import { afterAll, beforeAll } from 'vitest';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import { ReferenceCrm } from '../../src/crms/reference/crm.js';
import { ReferenceDestination, type ReferenceOptions } from '../../src/crms/reference/destination.js';
import { ReferenceHttpBackend } from '../../src/crms/reference/http-backend.js';
import { ReferenceMemoryBackend } from '../../src/crms/reference/memory-backend.js';
import { ReferenceTransport } from '../../src/crms/reference/transport.js';
import { buildReferenceSandbox, type ReferenceSandbox } from '../../src/sandboxes/reference/index.js';
import { type ConformanceTarget, describeDestinationConformance } from './conformance.js';

type Shape = Pick<ReferenceOptions, 'keys' | 'attachments'>;

/** The reference CRM in memory in one of the contract's shapes, as the suite's target. */
function referenceTarget(shape: Shape): ConformanceTarget {
  const crm = new ReferenceCrm();
  const destination = new ReferenceDestination(new ReferenceMemoryBackend(crm, crm.apiKey), { ...shape });
  return {
    ...heldBy(crm, destination),
    faults: {
      failNext: async (fault, options) => crm.failNext(fault, options),
      clear: async () => crm.clearFaults(),
      sendsRetryAfter: true,
    },
  };
}

/**
 * The same destination over HTTP to the reference CRM sandbox, emptied for each test. The sandbox's
 * faults are seeded rather than queued, so the fault cases are left to the in-memory target.
 */
function referenceHttpTarget(shape: Shape): ConformanceTarget {
  sandbox.crm.reset();
  const transport = new ReferenceTransport({ baseUrl, apiKey: sandbox.crm.apiKey, fetch });
  return heldBy(sandbox.crm, new ReferenceDestination(new ReferenceHttpBackend(transport), { ...shape }));
}

let sandbox: ReferenceSandbox;
let baseUrl: string;
beforeAll(async () => {
  sandbox = await buildReferenceSandbox();
  baseUrl = await sandbox.listen(0);
});
afterAll(() => sandbox.close());

/** What a test reads and does in the CRM beside the destination: its ReferenceCrm, in either backend. */
function heldBy(crm: ReferenceCrm, destination: ReferenceDestination): Omit<ConformanceTarget, 'faults'> {
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
  };
}

describeDestinationConformance('Reference', async () => referenceTarget({}));
describeDestinationConformance('Reference, found again by a marker in the note', async () =>
  referenceTarget({ keys: 'marker' }),
);
describeDestinationConformance('Reference over HTTP', async () => referenceHttpTarget({}));
describeDestinationConformance('Reference over HTTP, found again by a marker in the note', async () =>
  referenceHttpTarget({ keys: 'marker' }),
);
