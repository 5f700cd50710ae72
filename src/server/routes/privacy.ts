import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { erasureNumber, hintOf } from '../../privacy/erasure.js';
import { personExport } from '../../privacy/person-export.js';
import { zipStream } from '../../privacy/zip-stream.js';
import { defaultRegionOf, type Services } from '../../services.js';
import type { CrmWriteItem, Erasure, ErasureCounts } from '../../store/repositories/erasures.js';
import type { Tombstone } from '../../store/repositories/tombstones.js';
import { type Grant, requireAdmin } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const CountsSchema = z
  .object({
    identities: z.number().int(),
    directChats: z.number().int().describe('Direct chats with the person, removed with all their messages.'),
    groupChats: z.number().int().describe('Group chats the person was in: they stay, without them.'),
    messages: z.number().int(),
    events: z.number().int().describe('Edits, deletions and reactions received as events.'),
    reactions: z.number().int(),
    media: z.number().int(),
    mediaFiles: z.number().int().describe('Files deleted from disk (bytes no other message uses).'),
    recordLinks: z.number().int(),
    syncLedgerRows: z.number().int(),
    webhookDeliveries: z
      .number()
      .int()
      .describe('Stored Cloud API deliveries (processed) naming the person.'),
    webhookDeliveriesPending: z
      .number()
      .int()
      .describe(
        'Deliveries not processed yet that name the person: kept for the others in them; the tombstone leaves the person out.',
      ),
    payloadsRedacted: z
      .number()
      .int()
      .describe("Others' stored group payloads in which the person's number was blanked."),
  })
  .meta({ id: 'ErasureCounts' });

const CrmWriteSchema = z
  .object({
    connectionId: z.string(),
    connectionName: z.string(),
    kind: z.enum(['chat_record', 'note', 'file']),
    crmId: z.string(),
    recordType: z.string(),
    recordId: z.string(),
    day: z.string().optional(),
    state: z
      .enum(['listed', 'deleted', 'gone', 'failed'])
      .describe('listed: not deleted yet; gone: the CRM no longer had it; failed: see errorCode and error.'),
    errorCode: z.string().optional(),
    error: z.string().optional(),
    attemptedAt: z.string().optional(),
  })
  .meta({ id: 'ErasureCrmWrite' });

const ErasureSchema = z
  .object({
    id: z.string(),
    phoneHint: z.string().describe('Country code and last two digits: the number itself is not kept.'),
    requestedBy: z.string(),
    requestedAt: z.string(),
    removed: CountsSchema,
    crmWrites: z.array(CrmWriteSchema),
  })
  .meta({ id: 'Erasure' });

const PreviewSchema = z
  .object({
    dryRun: z.literal(true),
    phone: z.string(),
    phoneHint: z.string(),
    removed: CountsSchema,
    crmWrites: z.array(CrmWriteSchema),
    tombstoned: z.boolean().describe('The number is tombstoned already.'),
  })
  .meta({ id: 'ErasurePreview' });

const TombstoneSchema = z
  .object({
    id: z.string(),
    erasureId: z.string().optional(),
    phoneHint: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Tombstone' });

function crmWriteDto(item: CrmWriteItem): z.infer<typeof CrmWriteSchema> {
  return {
    connectionId: item.connectionId,
    connectionName: item.connectionName,
    kind: item.kind,
    crmId: item.crmId,
    recordType: item.recordType,
    recordId: item.recordId,
    ...(item.day ? { day: item.day } : {}),
    state: item.state,
    ...(item.errorCode ? { errorCode: item.errorCode } : {}),
    ...(item.error ? { error: item.error } : {}),
    ...(item.attemptedAt ? { attemptedAt: new Date(item.attemptedAt).toISOString() } : {}),
  };
}

function erasureDto(erasure: Erasure): z.infer<typeof ErasureSchema> {
  return {
    id: erasure.id,
    phoneHint: erasure.phoneHint,
    requestedBy: erasure.requestedBy,
    requestedAt: erasure.requestedAt.toISOString(),
    removed: erasure.removed satisfies ErasureCounts,
    crmWrites: erasure.crmWrites.map(crmWriteDto),
  };
}

function tombstoneDto(tombstone: Tombstone): z.infer<typeof TombstoneSchema> {
  return {
    id: tombstone.id,
    ...(tombstone.erasureId ? { erasureId: tombstone.erasureId } : {}),
    phoneHint: tombstone.phoneHint,
    createdAt: tombstone.createdAt.toISOString(),
  };
}

/** Who asked, as the erasure keeps it. */
function requester(grant: Grant): string {
  return grant.via === 'session'
    ? `${grant.name} <${grant.email}>`
    : `token ${grant.name}${grant.userId ? ` (user ${grant.userId})` : ''}`;
}

const PhoneField = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe('The number in any spelling (the workspace region applies).');

/**
 * Erasure and access requests, admins only: erase a person by number (a dry run first shows what
 * would go), delete in the CRMs what wasync wrote from their chats, lift tombstones, export a person's
 * data. Each action has its one handler here.
 */
/** How the audit log names an erasure: by its id and the number's hint, never the number. */
const erasureTarget = (erasure: Erasure) => ({ type: 'erasure', id: erasure.id, label: erasure.phoneHint });

/** How many of an erasure's CRM writes are in each state. */
function crmStates(erasure: Erasure): Record<string, number> {
  const states: Record<string, number> = {};
  for (const write of erasure.crmWrites) states[write.state] = (states[write.state] ?? 0) + 1;
  return states;
}

export function privacyRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, erasures, audit } = services;
  const region = () => defaultRegionOf(services);
  return async (app) => {
    app.post(
      '/erasures',
      {
        schema: {
          tags: ['privacy'],
          summary:
            'Erase a person by number (admin): their messages, media, identities and links; or a dry run',
          description:
            'Removes in one transaction everything the store holds of the person and tombstones the number, so no source stores it again until an admin lifts the tombstone. The answer lists the CRM writes made from their chats; `POST /erasures/{id}/crm-deletions` deletes them. With `dryRun` nothing is written.',
          body: z.strictObject({ phone: PhoneField, dryRun: z.boolean().optional() }),
          response: {
            200: PreviewSchema,
            201: ErasureSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const grant = requireAdmin(request);
        const phone = erasureNumber(request.body.phone, region());
        if (request.body.dryRun) {
          const preview = await erasures.preview(grant.workspaceId, phone);
          return reply.status(200).send({
            dryRun: true as const,
            ...preview,
            crmWrites: preview.crmWrites.map(crmWriteDto),
          });
        }
        const erasure = await erasures.erase(grant.workspaceId, phone, requester(grant));
        await audit.record(request, 'person.erased', erasureTarget(erasure), {
          removed: erasure.removed,
          crmWrites: erasure.crmWrites.length,
        });
        return reply.status(201).send(erasureDto(erasure));
      },
    );

    app.get(
      '/erasures',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Erasures done, newest first (admin)',
          response: { 200: z.object({ data: z.array(ErasureSchema) }), 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => ({
        data: (await store.erasures.list(requireAdmin(request).workspaceId)).map(erasureDto),
      }),
    );

    app.get(
      '/erasures/:erasureId',
      {
        schema: {
          tags: ['privacy'],
          summary: 'One erasure with its CRM writes (admin)',
          params: z.object({ erasureId: z.string() }),
          response: { 200: ErasureSchema, 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const erasure = await store.erasures.get(workspaceId, request.params.erasureId);
        if (!erasure) throw new WasyncError('not_found', `No erasure ${request.params.erasureId}.`);
        return erasureDto(erasure);
      },
    );

    app.post(
      '/erasures/:erasureId/crm-deletions',
      {
        schema: {
          tags: ['privacy'],
          summary:
            'Delete in the CRMs the chat records, notes and files wasync wrote from the erased chats (admin)',
          description:
            'Tries every listed or failed item again; each keeps its state (deleted, gone when the CRM no longer had it, failed with the CRM reason), so a retry deletes only what is left.',
          params: z.object({ erasureId: z.string() }),
          response: { 200: ErasureSchema, 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const erasure = await erasures.deleteCrmWrites(workspaceId, request.params.erasureId);
        await audit.record(request, 'erasure.crm_deleted', erasureTarget(erasure), crmStates(erasure));
        return erasureDto(erasure);
      },
    );

    app.get(
      '/tombstones',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Tombstoned numbers (admin): erased people no source may store again',
          description:
            'With `phone`, only the tombstone holding that number (the numbers themselves are kept only as keyed hashes).',
          querystring: z.object({ phone: PhoneField.optional() }),
          response: {
            200: z.object({ data: z.array(TombstoneSchema) }),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        if (request.query.phone) {
          const found = await store.tombstones.findByPhone(
            workspaceId,
            erasureNumber(request.query.phone, region()),
          );
          return { data: found ? [tombstoneDto(found)] : [] };
        }
        return { data: (await store.tombstones.list(workspaceId)).map(tombstoneDto) };
      },
    );

    app.delete(
      '/tombstones/:tombstoneId',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Lift a tombstone (admin): the person may be captured again from now on',
          params: z.object({ tombstoneId: z.string() }),
          response: { 204: z.null(), 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const lifted = await store.tombstones.lift(workspaceId, request.params.tombstoneId);
        if (!lifted) throw new WasyncError('not_found', `No tombstone ${request.params.tombstoneId}.`);
        await audit.record(request, 'tombstone.lifted', {
          type: 'tombstone',
          id: lifted.id,
          label: lifted.phoneHint,
        });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/people/export',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Everything the store holds about a person, as a zip (admin; access requests)',
          description:
            "person.json (identities, chats, messages with edits and reactions, record links) and the person's media files under media/. Direct chats come whole; of group chats only the person's own messages.",
          querystring: z.object({ phone: PhoneField }),
          response: {
            200: z.any().describe('application/zip'),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const phone = erasureNumber(request.query.phone, region());
        const found = await personExport(store, workspaceId, phone);
        if (!found) throw new WasyncError('not_found', 'The store holds nothing about this number.');
        await audit.record(
          request,
          'person.exported',
          { type: 'person', label: hintOf(phone) },
          { messages: found.messages, files: found.files },
        );
        return reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="wasync-person-${phone.slice(1)}.zip"`)
          .header('cache-control', 'no-store')
          .send(Readable.from(zipStream(found.entries)));
      },
    );
  };
}
