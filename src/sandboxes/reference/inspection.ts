import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ReferenceCrm } from '../../crms/reference/crm.js';
import type { RequestCounters } from '../kit/counters.js';
import { inspectionRoutes } from '../kit/inspection.js';
import { ReferenceApiError } from './errors.js';

const Seed = z.object({
  type: z.enum(['contact', 'lead']),
  name: z.string().min(1),
  phones: z.array(z.string()),
  company: z.string().optional(),
  email: z.string().optional(),
  converted: z.boolean().optional(),
  createdAt: z.iso.datetime().optional(),
});

/** The reference sandbox's `/__sandbox/` routes: seed records, read what landed, counters, reset. */
export function referenceInspection(crm: ReferenceCrm, counters: RequestCounters, reset: () => void) {
  return inspectionRoutes({
    description: 'Reference CRM sandbox inspection routes: test/demo only, not part of its API.',
    counters: () => counters.toJSON(),
    reset,
    routes: (app: FastifyInstance) => {
      // One record in, its id out; an array in, the ids in the same order.
      app.post('/__sandbox/records', async (request, reply) => {
        const body: unknown = request.body;
        const parsed = z.array(Seed).safeParse(Array.isArray(body) ? body : [body]);
        if (!parsed.success)
          throw new ReferenceApiError(400, 'INVALID_REQUEST', z.prettifyError(parsed.error));
        const ids = parsed.data.map((seed) => {
          const record = crm.seed({
            type: seed.type,
            name: seed.name,
            phones: seed.phones,
            company: seed.company,
            email: seed.email,
            converted: seed.converted ?? false,
            ...(seed.createdAt === undefined ? {} : { createdAt: new Date(seed.createdAt) }),
          });
          return record.id;
        });
        return reply.status(201).send(Array.isArray(body) ? { ids } : { id: ids[0], ids });
      });
      app.get('/__sandbox/records', async () => ({ records: crm.allRecords() }));
      app.get('/__sandbox/transcripts', async () => ({
        transcripts: crm.allTranscripts().map(({ files, ...transcript }) => ({
          ...transcript,
          files: files.map(({ bytes, ...file }) => ({
            ...file,
            base64: Buffer.from(bytes).toString('base64'),
          })),
        })),
      }));
      app.get('/__sandbox/attachments', async () => ({
        attachments: crm.allAttachments().map(({ bytes, ...attachment }) => ({
          ...attachment,
          sizeBytes: bytes.length,
          base64: Buffer.from(bytes).toString('base64'),
        })),
      }));
    },
  });
}
