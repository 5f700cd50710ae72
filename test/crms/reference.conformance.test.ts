import { ReferenceCrm } from '../../src/crms/reference/crm.js';
import { ReferenceDestination } from '../../src/crms/reference/destination.js';
import { describeDestinationConformance } from './conformance.js';

describeDestinationConformance('Reference', async () => {
  const crm = new ReferenceCrm();
  const destination = new ReferenceDestination(crm, { apiKey: crm.apiKey });
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
    // The CRM holds one transcript per key by construction: nothing can be there twice.
    duplicatesOn: async () => [],
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
});
