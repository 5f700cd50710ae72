import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { normalizePhone } from '../../core/phone.js';
import { defaultRegionOf, type Services } from '../../services.js';
import type { RecordLink } from '../../store/repositories/record-links.js';
import { ChatAccess } from '../access.js';
import { grantOf, requireAdmin } from '../auth.js';
import {
  ChatRecordSchema,
  CrmRecordSchema,
  chatRecordDto,
  crmRecordDto,
  RecordCardSchema,
  RecordLinkSchema,
  RecordTypeSchema,
  recordCardDto,
  recordLinkDto,
  SyncJobSchema,
  SyncStatusSchema,
  syncJobDto,
  syncStatusDto,
  UnmatchedChatSchema,
  unmatchedChatDto,
} from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const ConnectionParams = z.object({
  connectionId: z.string().describe('The connection id, or its name.'),
});
const ChatParams = z.object({ chatId: z.string() });
const RecordType = RecordTypeSchema;
const IdentityId = z
  .string()
  .min(1)
  .describe("Which person of the chat: required for a group chat; a direct chat's partner by default.");
const ConnectionRef = z.string().min(1).describe('The CRM connection, by id or name.');

const LinkInput = z
  .strictObject({
    connection: ConnectionRef,
    record: z.strictObject({
      type: RecordType,
      id: z.string().min(1).max(100).describe("The CRM's record id."),
    }),
    identityId: IdentityId.optional(),
  })
  .meta({ id: 'LinkInput' });

const NewRecordInput = z
  .strictObject({
    connection: ConnectionRef,
    type: RecordType,
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe("Defaults to the person's WhatsApp name, or their number."),
    company: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('For a lead; the CRM gets a placeholder when absent.'),
    phone: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .describe(
        "The record's number, in any spelling (national ones read with the workspace's region). Defaults to " +
          "the person's; required when WhatsApp has shared only their linked id. The chat is linked to the new " +
          'record whatever its number.',
      ),
    identityId: IdentityId.optional(),
  })
  .meta({ id: 'NewRecordInput' });

const UnlinkQuery = z.object({ connection: ConnectionRef, identityId: IdentityId.optional() });

/**
 * The sync of each CRM connection (status, "sync now", retry), and the links between WhatsApp chats
 * and CRM records (list, link by hand, create a record from a chat, unlink), plus the CRM searches and
 * record card that linking by hand needs. Reps (member tokens) read, link, create records from chats and
 * ask for a sync, as they do from a chat's card; retrying the failed writes of a connection is an admin's.
 */
export function syncRoutes(services: Services): FastifyPluginAsyncZod {
  const { sync, records, store, audit } = services;
  const access = new ChatAccess(services);

  /** The sync service runs for this process's workspace: a token of another one sees nothing of it. */
  const workspaceOf = (grant: { workspaceId: string }) => {
    if (grant.workspaceId !== services.workspace.id) {
      throw new WasyncError('forbidden', 'This token belongs to another workspace.');
    }
  };
  const reader = (request: FastifyRequest) => workspaceOf(grantOf(request));
  const admin = (request: FastifyRequest) => workspaceOf(requireAdmin(request));

  const withIdentity = async (link: RecordLink) => {
    const identity = await store.identities.get(link.identityId);
    return recordLinkDto(link, { id: link.identityId, phone: identity?.phone, name: identity?.displayName });
  };

  return async (app) => {
    app.get(
      '/connections/:connectionId/sync',
      {
        schema: {
          tags: ['sync'],
          summary: 'Sync status of a connection: last run, next run, chats and writes, what failed and why',
          params: ConnectionParams,
          response: { 200: SyncStatusSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        reader(request);
        const status = await sync.status(request.params.connectionId);
        // The counts are the connection's; which chat failed and why is shown to those who read it.
        const readable = await access.readableChats(request, [
          ...new Set(status.problems.map((p) => p.chatId)),
        ]);
        return syncStatusDto({ ...status, problems: status.problems.filter((p) => readable(p.chatId)) });
      },
    );

    app.post(
      '/connections/:connectionId/sync',
      {
        schema: {
          tags: ['sync'],
          summary: 'Sync now: queue a run at once (a parked connection is given another try)',
          params: ConnectionParams,
          response: { 202: SyncJobSchema, 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        reader(request);
        const job = await sync.syncNow(request.params.connectionId);
        const connection = await services.connections.get(services.workspace.id, request.params.connectionId);
        await audit.record(request, 'connection.sync_requested', {
          type: 'connection',
          id: connection.id,
          label: connection.name,
        });
        return reply.status(202).send(syncJobDto(connection.id, job, connection.state === 'parked'));
      },
    );

    app.post(
      '/connections/:connectionId/sync/retry',
      {
        schema: {
          tags: ['sync'],
          summary: 'Try failed and refused writes again, in a run queued at once',
          params: ConnectionParams,
          response: {
            202: z.object({ chats: z.number().int().describe('Chats whose writes will be tried again.') }),
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        admin(request);
        const chats = await sync.retryFailures(request.params.connectionId);
        const connection = await services.connections.get(services.workspace.id, request.params.connectionId);
        await audit.record(
          request,
          'connection.retry_requested',
          { type: 'connection', id: connection.id, label: connection.name },
          { chats },
        );
        return reply.status(202).send({ chats });
      },
    );

    app.get(
      '/connections/:connectionId/links',
      {
        schema: {
          tags: ['sync'],
          summary: 'WhatsApp people linked to CRM records on this connection, with their last sync time',
          params: ConnectionParams,
          response: { 200: z.object({ data: z.array(RecordLinkSchema) }), 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        reader(request);
        const views = await records.linkedRecords(request.params.connectionId);
        const readable = await access.readablePeople(
          request,
          views.map((view) => view.identity.id),
        );
        return {
          data: views
            .filter((view) => readable(view.identity.id))
            .map((view) => recordLinkDto(view.link, view.identity)),
        };
      },
    );

    app.get(
      '/connections/:connectionId/unmatched',
      {
        schema: {
          tags: ['sync'],
          summary: 'Chats with no CRM record on this connection: create one or link one by hand',
          params: ConnectionParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
          response: {
            200: z.object({ data: z.array(UnmatchedChatSchema) }),
            400: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        reader(request);
        const unmatched = await records.unmatched(request.params.connectionId, request.query.limit);
        const readable = await access.readable(request);
        return {
          data: unmatched
            .filter((item) => readable === 'all' || readable.has(item.chat.accountId))
            .map(unmatchedChatDto),
        };
      },
    );

    app.get(
      '/connections/:connectionId/records',
      {
        schema: {
          tags: ['sync'],
          summary: 'Search the CRM for contacts and leads by name or number (for linking by hand)',
          params: ConnectionParams,
          querystring: z.object({
            q: z
              .string()
              .trim()
              .min(1)
              .max(200)
              .describe(
                'A name, part of one, or a phone number in any spelling (national ones read in the workspace region).',
              ),
          }),
          response: {
            200: z.object({ data: z.array(CrmRecordSchema) }),
            400: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            502: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        reader(request);
        const found = await records.search(request.params.connectionId, request.query.q);
        return { data: found.map(crmRecordDto) };
      },
    );

    app.get(
      '/connections/:connectionId/records/:type/:recordId',
      {
        schema: {
          tags: ['sync'],
          summary: 'The mini-CRM card of a record: company, owner, email, lead status, open deals, notes',
          params: ConnectionParams.extend({ type: RecordType, recordId: z.string().min(1).max(100) }),
          response: {
            200: RecordCardSchema,
            400: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            502: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        reader(request);
        const { connectionId, type, recordId } = request.params;
        return recordCardDto(await records.card(connectionId, { type, id: recordId }));
      },
    );

    app.get(
      '/chats/:chatId/records',
      {
        schema: {
          tags: ['sync'],
          summary: "The CRM records a chat's people are linked to, on every connection, with last sync time",
          params: ChatParams,
          response: { 200: z.object({ data: z.array(ChatRecordSchema) }), 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        reader(request);
        await access.chat(request, request.params.chatId);
        return { data: (await records.chatRecords(request.params.chatId)).map(chatRecordDto) };
      },
    );

    app.post(
      '/chats/:chatId/links',
      {
        schema: {
          tags: ['sync'],
          summary:
            "Link the chat's partner (in a group, the person named) to an existing CRM record; overrides the automatic match",
          params: ChatParams,
          body: LinkInput,
          response: {
            201: RecordLinkSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
            502: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        reader(request);
        await access.chat(request, request.params.chatId);
        const link = await records.linkChat(request.params.chatId, request.body);
        return reply.status(201).send(await withIdentity(link));
      },
    );

    app.post(
      '/chats/:chatId/records',
      {
        schema: {
          tags: ['sync'],
          summary:
            "Create a contact or lead in the CRM from the chat's partner (in a group, the person named) and link it",
          params: ChatParams,
          body: NewRecordInput,
          response: {
            201: RecordLinkSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
            502: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        reader(request);
        await access.chat(request, request.params.chatId);
        const { phone: typed, ...input } = request.body;
        let phone: string | undefined;
        if (typed !== undefined) {
          const parsed = normalizePhone(typed, { defaultRegion: defaultRegionOf(services) });
          if (!parsed.ok)
            throw new WasyncError('invalid_phone', `${typed}: ${parsed.message}`, { field: 'phone' });
          phone = parsed.e164;
        }
        const link = await records.createRecordFromChat(request.params.chatId, { ...input, phone });
        return reply.status(201).send(await withIdentity(link));
      },
    );

    app.post(
      '/chats/:chatId/links/match-again',
      {
        schema: {
          tags: ['sync'],
          summary:
            "Match by phone again: the chat's partner (in a group, the person named), unlinked by hand, is looked up in the CRM at the next run",
          params: ChatParams,
          body: UnlinkQuery,
          response: {
            204: z.null(),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        reader(request);
        await access.chat(request, request.params.chatId);
        const cleared = await records.matchAgain(request.params.chatId, request.body);
        if (!cleared) {
          throw new WasyncError('not_found', 'That person was not unlinked by hand on this connection.');
        }
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/chats/:chatId/links',
      {
        schema: {
          tags: ['sync'],
          summary:
            "Unlink the chat's partner (in a group, the person named) from their record on a connection",
          params: ChatParams,
          querystring: UnlinkQuery,
          response: {
            204: z.null(),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        reader(request);
        await access.chat(request, request.params.chatId);
        const removed = await records.unlinkChat(request.params.chatId, request.query);
        if (!removed) {
          throw new WasyncError('not_found', 'That person is not linked to a record on this connection.');
        }
        return reply.status(204).send(null);
      },
    );
  };
}
