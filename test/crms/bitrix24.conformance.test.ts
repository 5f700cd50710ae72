import { afterAll, beforeAll } from 'vitest';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import type { Bitrix24FaultKind } from '../../src/sandboxes/bitrix24/index.js';
import { startTestBitrix24, type TestBitrix24 } from '../support/bitrix24-portal.js';
import { type ConformanceFault, describeDestinationConformance } from './conformance.js';

let b24: TestBitrix24;
beforeAll(async () => {
  b24 = await startTestBitrix24();
});
afterAll(() => b24.close());

/**
 * Each fault as a portal answers it (the sandbox's options.ts): the bucket 503 QUERY_LIMIT_EXCEEDED,
 * an outage 500 INTERNAL_SERVER_ERROR, a refused token 401 expired_token (answered with one refresh,
 * then parked). The portal sends no Retry-After.
 */
const SANDBOX_FAULT: Record<ConformanceFault['kind'], Bitrix24FaultKind> = {
  'rate-limit': '503',
  unavailable: '500',
  unauthorized: 'expired-token',
  'lost-answer': 'lost-answer',
};

const entityOf = (type: 'contact' | 'lead') => type;

describeDestinationConformance('Bitrix24', async () => {
  await b24.inspect('POST', 'reset');
  // Through a local application: its expired_token is the fault a webhook cannot meet.
  const destination = await b24.destination({ flow: 'oauth' });
  const commentsOn = (record: { type: 'contact' | 'lead'; id: string }) =>
    b24.portal.inspectComments(entityOf(record.type), Number(record.id));
  return {
    destination,
    seed: async (type, fields) => {
      const person = {
        ...(fields.firstName ? { name: fields.firstName } : {}),
        lastName: fields.lastName,
        phones: [fields.phone],
      };
      const entity = type === 'contact' ? b24.portal.seedContact(person) : b24.portal.seedLead(person);
      return String(entity.id);
    },
    deleteRecord: async (record) => {
      b24.portal.entities.get(entityOf(record.type))?.delete(Number(record.id));
    },
    // A person converts the lead: it becomes CONVERTED and a contact with its number is made.
    convertLead: async (id) => {
      const lead = b24.portal.entity('lead', Number(id));
      if (!lead) throw new Error(`no lead ${id}`);
      const contact = b24.portal.seedContact({
        name: lead.fields.NAME ?? '',
        lastName: lead.fields.LAST_NAME ?? 'Converted',
        phones: lead.multifields.filter((m) => m.typeId === 'PHONE').map((m) => m.value),
      });
      lead.fields.STATUS_ID = 'CONVERTED';
      lead.fields.CONTACT_ID = String(contact.id);
    },
    // A day is a comment carrying its marker; the text is the comment's.
    transcriptsOn: async (record) =>
      commentsOn(record)
        .filter((comment) => markerIn(comment.comment) !== undefined)
        .map((comment) => comment.comment),
    duplicatesOn: async (record) => {
      const seen = new Map<string, number>();
      const problems: string[] = [];
      for (const comment of commentsOn(record)) {
        const marker = markerIn(comment.comment);
        if (marker === undefined) problems.push(`comment ${comment.id} carries no day marker`);
        else seen.set(marker, (seen.get(marker) ?? 0) + 1);
      }
      for (const [marker, count] of seen) if (count > 1) problems.push(`${count} comments carry ${marker}`);
      return problems;
    },
    // Files on the record's comments, and Disk files its comments link (large ones).
    filesOn: async (record) => {
      const comments = commentsOn(record);
      const linked = b24.portal
        .inspectDiskFiles()
        .filter((file) => comments.some((comment) => comment.comment.includes(`/${file.id}/`)));
      return [
        ...comments.flatMap((comment) => comment.files.map((file) => file.name)),
        // Named on Disk with a mark of the file's key (`quote (wasync 3f2a9c1b).pdf`: disk.ts).
        ...linked.map((f) => f.name.replace(/ \(wasync [0-9a-f]{8}\)/, '')),
      ];
    },
    faults: {
      failNext: async (fault, options = {}) => {
        await b24.inspect('POST', 'faults', { kind: SANDBOX_FAULT[fault.kind], ...options });
      },
      clear: async () => {
        await b24.inspect('DELETE', 'faults');
      },
      sendsRetryAfter: false,
    },
  };
});
