import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';
import { CRM_CHAT_STATES } from '../../store/repositories/crm-chat-state.js';
import { ChatAccess } from '../access.js';
import { grantOf } from '../auth.js';
import {
  ChatCrmStateSchema,
  ChatSchema,
  chatCrmStateDto,
  chatDto,
  IdentitySchema,
  identityDto,
  MessageSchema,
  messageDto,
  pageOf,
} from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export function chatRoutes(services: Services): FastifyPluginAsyncZod {
  const { store } = services;
  const access = new ChatAccess(services);
  return async (app) => {
    app.get(
      '/chats',
      {
        schema: {
          tags: ['chats'],
          summary: 'Chats, most recent conversation first',
          querystring: z.object({
            accountId: z.string().optional(),
            limit: limit(200, 50),
            cursor: z.string().optional(),
            q: z
              .string()
              .max(200)
              .optional()
              .describe("Part of a chat's title or person's name, or digits of the number."),
            crmState: z
              .enum(CRM_CHAT_STATES)
              .optional()
              .describe('Only chats in this state on a CRM connection (the one named, or any).'),
            connectionId: z.string().optional().describe('With crmState: the connection.'),
          }),
          response: { 200: pageOf(ChatSchema), 400: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = grantOf(request);
        const readable = await access.readable(request);
        const { crmState, connectionId, ...query } = request.query;
        const page = await store.chats.list(workspaceId, {
          ...query,
          ...(readable === 'all' ? {} : { accountIds: [...readable] }),
          ...(crmState
            ? { crm: { state: crmState, windowStart: services.records.windowStart(), connectionId } }
            : {}),
        });
        const states = await services.records.chatStates(page.data);
        const chatIds = page.data.map((chat) => chat.id);
        const [latest, participants] = await Promise.all([
          store.messages.latestOf(chatIds),
          store.chats.participantsOf(
            page.data.filter((chat) => chat.kind === 'group').map((chat) => chat.id),
          ),
        ]);
        // The people of each chat: the partner of a direct chat, the members of a group.
        const people = new Map(
          page.data.map((chat) => [
            chat.id,
            chat.kind === 'direct'
              ? chat.partner
                ? [chat.partner.id]
                : []
              : (participants.get(chat.id) ?? []).map((p) => p.id),
          ]),
        );
        const links = await store.links.ofIdentities([...new Set([...people.values()].flat())]);
        return {
          data: page.data.map((chat) => {
            const last = latest.get(chat.id);
            const mine = new Set(people.get(chat.id));
            return {
              ...chatDto(chat),
              ...(last
                ? {
                    lastMessage: {
                      type: last.type,
                      ...(last.text !== undefined && !last.deleted ? { text: last.text.slice(0, 200) } : {}),
                      fromMe: last.fromMe,
                      at: new Date(last.sentAt).toISOString(),
                      deleted: last.deleted,
                    },
                  }
                : {}),
              links: links
                .filter((link) => mine.has(link.identityId))
                .map((link) => ({
                  connectionId: link.connectionId,
                  identityId: link.identityId,
                  record: {
                    type: link.record.type,
                    id: link.record.id,
                    ...(link.record.name ? { name: link.record.name } : {}),
                  },
                  ...(link.lastSyncedAt ? { lastSyncedAt: link.lastSyncedAt.toISOString() } : {}),
                })),
              crm: (states.get(chat.id) ?? []).map(chatCrmStateDto),
            };
          }),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        };
      },
    );

    app.get(
      '/chats/:chatId',
      {
        schema: {
          tags: ['chats'],
          summary: 'One chat with its participants',
          params: z.object({ chatId: z.string() }),
          response: {
            200: ChatSchema.extend({ participants: z.array(IdentitySchema) }),
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const chat = await access.chat(request, request.params.chatId);
        const participants = await store.chats.participants(chat.id);
        return { ...chatDto(chat), participants: participants.map(identityDto) };
      },
    );

    app.get(
      '/chats/:chatId/crm',
      {
        schema: {
          tags: ['chats'],
          summary:
            'Where the chat stands on each CRM connection: in CRM up to, waiting, failed, not in CRM, excluded',
          params: z.object({ chatId: z.string() }),
          response: { 200: z.object({ data: z.array(ChatCrmStateSchema) }), 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const chat = await access.chat(request, request.params.chatId);
        const states = await services.records.chatStates([chat]);
        return { data: (states.get(chat.id) ?? []).map(chatCrmStateDto) };
      },
    );

    app.post(
      '/chats/:chatId/history',
      {
        schema: {
          tags: ['chats'],
          summary:
            'Send older history: every message of the chat goes to its CRM records whatever its age, and so does history delivered later',
          params: z.object({ chatId: z.string() }),
          response: { 202: z.object({ data: z.array(ChatCrmStateSchema) }), 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const chat = await access.chat(request, request.params.chatId);
        await services.records.sendOlderHistory(chat.id);
        const fresh = (await store.chats.get(grantOf(request).workspaceId, chat.id)) ?? chat;
        const states = await services.records.chatStates([fresh]);
        return reply.status(202).send({ data: (states.get(chat.id) ?? []).map(chatCrmStateDto) });
      },
    );

    app.get(
      '/chats/:chatId/messages',
      {
        schema: {
          tags: ['chats'],
          summary: "A chat's messages in time order, with edits, deletions, reactions and media state",
          params: z.object({ chatId: z.string() }),
          querystring: z.object({
            limit: limit(500, 100),
            cursor: z.string().optional(),
            order: z.enum(['asc', 'desc']).default('asc'),
          }),
          response: { 200: pageOf(MessageSchema), 400: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const chat = await access.chat(request, request.params.chatId);
        const page = await store.messages.listByChat(chat.id, request.query);
        return {
          data: page.data.map(messageDto),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        };
      },
    );

    app.get(
      '/chats/:chatId/messages/:messageId/media',
      {
        schema: {
          tags: ['chats'],
          summary:
            "A message's media file, once downloaded (images, video and audio inline, others as a download)",
          params: z.object({ chatId: z.string(), messageId: z.string() }),
          response: {
            200: z.any().describe('The file itself.'),
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const chat = await access.chat(request, request.params.chatId);
        const media = await store.messages.mediaOf(chat.id, request.params.messageId);
        if (!media) throw new WasyncError('not_found', `No media on message ${request.params.messageId}.`);
        if (media.state !== 'stored' || !media.sha256) {
          throw new WasyncError('conflict', `The media is ${media.state}: not downloaded yet.`, {
            state: media.state,
          });
        }
        const type = media.mimeType ?? 'application/octet-stream';
        const inline = /^(image|video|audio)\//.test(type) && type !== 'image/svg+xml';
        const name = (media.fileName ?? `${request.params.messageId}`).replace(/["\\\r\n]/g, '_');
        return reply
          .type(type)
          .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${name}"`)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, max-age=31536000, immutable')
          .send(store.blobs.open(media.sha256));
      },
    );
  };
}
