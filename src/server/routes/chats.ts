import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Chat } from '../../core/model.js';
import type { CountryCode } from '../../core/phone.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { IngestChat } from '../../ingest/types.js';
import { defaultRegionOf, type Services } from '../../services.js';
import { ItemProblem, parseChat } from '../../sources/rest/parse.js';
import { type ChatInput, ChatSchema as IngestChatSchema } from '../../sources/rest/schema.js';
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
import { addExclusion, ExclusionSchema, exclusionDto } from '../exclusions.js';

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

type ChatSummary = z.infer<typeof ChatSchema>;

const ChatWithParticipantsSchema = ChatSchema.extend({ participants: z.array(IdentitySchema) });

const ChatLookupSchema = z
  .object({
    chats: z
      .array(ChatWithParticipantsSchema)
      .describe(
        'The chats of the person (direct) or group the caller reads, newest first, as the chat list has them.',
      ),
    person: IdentitySchema.optional().describe(
      'The person the ids name, when the caller reads a chat they are in (direct lookups).',
    ),
    keys: z
      .object({
        phone: z.string().optional().describe('E.164.'),
        lid: z.string().optional().describe('`<digits>@lid`.'),
        groupId: z.string().optional(),
      })
      .describe('The ids asked for, normalised: what a chat not captured yet is known by.'),
  })
  .meta({ id: 'ChatLookup' });

type LookupKeys = z.infer<typeof ChatLookupSchema>['keys'];

/** The lookup's ids in their stored form; a spelling of the wrong kind is refused naming its field. */
function lookupKeys(
  query: { phone?: string | undefined; lid?: string | undefined; groupId?: string | undefined },
  defaultRegion: CountryCode | undefined,
): LookupKeys {
  const read = (field: 'phone' | 'lid' | 'groupId', raw: string) => {
    const parsed = parseWhatsAppId(raw, { defaultRegion });
    if (!parsed.ok) {
      if (parsed.reason === 'invalid_phone')
        throw new WasyncError('invalid_phone', `${raw}: ${parsed.message}`, { field });
      throw new WasyncError('validation_failed', `${field}: ${parsed.message}`, {
        issues: [{ field: `querystring.${field}`, message: parsed.message }],
      });
    }
    return parsed.address;
  };
  const wrongKind = (field: string, expected: string): never => {
    throw new WasyncError('validation_failed', `${field} is not ${expected}`, {
      issues: [{ field: `querystring.${field}`, message: `expected ${expected}` }],
    });
  };
  const keys: LookupKeys = {};
  if (query.phone !== undefined) {
    const address = read('phone', query.phone);
    keys.phone = address.kind === 'phone' ? address.e164 : wrongKind('phone', 'a phone number or phone jid');
  }
  if (query.lid !== undefined) {
    const address = read('lid', query.lid);
    keys.lid = address.kind === 'lid' ? address.lid : wrongKind('lid', 'a linked id like 123456789@lid');
  }
  if (query.groupId !== undefined) {
    // The REST ingest keeps a group id as its client sends it; a WhatsApp group jid reads as one spelling.
    const parsed = parseWhatsAppId(query.groupId);
    keys.groupId = parsed.ok && parsed.address.kind === 'group' ? parsed.address.groupJid : query.groupId;
  }
  return keys;
}

/** The REST ingest's chat, read as the ingest reads it; a bad party is refused naming its field. */
function readChat(
  input: ChatInput,
  defaultRegion: CountryCode | undefined,
  mediaMaxBytes: number,
): IngestChat {
  try {
    return parseChat(input, 'chat', { defaultRegion, mediaMaxBytes, now: Date.now() });
  } catch (error) {
    if (!(error instanceof ItemProblem)) throw error;
    const field = `body.${error.field}`;
    if (error.code === 'invalid_phone') throw new WasyncError('invalid_phone', error.message, { field });
    throw new WasyncError('validation_failed', `${error.field}: ${error.message}`, {
      issues: [{ field, message: error.message }],
    });
  }
}

export function chatRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, config } = services;
  const access = new ChatAccess(services);

  /**
   * Chats as the list shows them: each with its latest message, the CRM records linked to its people
   * (the partner of a direct chat, the members of a group) and where it stands on each connection;
   * with `participants`, each chat's participants too.
   */
  async function summaries(chats: readonly Chat[]): Promise<ChatSummary[]>;
  async function summaries(
    chats: readonly Chat[],
    options: { participants: true },
  ): Promise<(ChatSummary & { participants: z.infer<typeof IdentitySchema>[] })[]>;
  async function summaries(
    chats: readonly Chat[],
    options: { participants?: boolean } = {},
  ): Promise<(ChatSummary & { participants?: z.infer<typeof IdentitySchema>[] })[]> {
    const states = await services.records.chatStates(chats);
    const chatIds = chats.map((chat) => chat.id);
    const [latest, participants] = await Promise.all([
      store.messages.latestOf(chatIds),
      store.chats.participantsOf(
        options.participants ? chatIds : chats.filter((chat) => chat.kind === 'group').map((chat) => chat.id),
      ),
    ]);
    // The people of each chat: the partner of a direct chat, the members of a group.
    const people = new Map(
      chats.map((chat) => [
        chat.id,
        chat.kind === 'direct'
          ? chat.partner
            ? [chat.partner.id]
            : []
          : (participants.get(chat.id) ?? []).map((p) => p.id),
      ]),
    );
    const links = await store.links.ofIdentities([...new Set([...people.values()].flat())]);
    return chats.map((chat) => {
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
        ...(options.participants ? { participants: (participants.get(chat.id) ?? []).map(identityDto) } : {}),
      };
    });
  }

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
        return {
          data: await summaries(page.data),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        };
      },
    );

    app.get(
      '/chats/lookup',
      {
        schema: {
          tags: ['chats'],
          summary: 'The chats of a person or group, found by their WhatsApp ids (the browser extension)',
          description:
            'Each id in any WhatsApp spelling: a phone number (national spellings in the default region) or ' +
            '`…@s.whatsapp.net` / `@c.us` jid, a `…@lid`, a group `…@g.us`. Give `groupId` alone, or `phone` ' +
            'and/or `lid`; with both, the lid decides when it is known. Only chats the caller reads are ' +
            'answered; none (not captured yet, or not readable) is `chats: []` with the ids read.',
          querystring: z
            .object({
              phone: z.string().trim().min(1).max(256).optional(),
              lid: z.string().trim().min(1).max(256).optional(),
              groupId: z.string().trim().min(1).max(256).optional(),
              accountId: z.string().optional().describe('Only chats on this WhatsApp account.'),
            })
            .refine((q) => (q.groupId !== undefined ? !q.phone && !q.lid : Boolean(q.phone || q.lid)), {
              message: 'give groupId alone, or phone and/or lid',
            }),
          response: { 200: ChatLookupSchema, 400: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = grantOf(request);
        const keys = lookupKeys(request.query, defaultRegionOf(services));
        const readable = await access.readable(request);
        const { accountId } = request.query;
        const accountIds =
          readable === 'all'
            ? accountId === undefined
              ? undefined
              : [accountId]
            : [...readable].filter((id) => accountId === undefined || id === accountId);
        if (keys.groupId !== undefined) {
          const chats = await store.chats.findByGroupKey(workspaceId, keys.groupId, accountIds);
          return { chats: await summaries(chats, { participants: true }), keys };
        }
        // The workspace's own WhatsApp accounts are never a contact.
        if (keys.lid !== undefined && (await store.identities.ownLids(workspaceId)).has(keys.lid))
          return { chats: [], keys };
        // The lid wins over the phone, as identity resolution has it: a number changes hands, a lid not.
        const person =
          (keys.lid === undefined
            ? undefined
            : await store.identities.findByKey(workspaceId, 'lid', keys.lid)) ??
          (keys.phone === undefined
            ? undefined
            : await store.identities.findByKey(workspaceId, 'phone', keys.phone));
        if (!person) return { chats: [], keys };
        const [chats, reads] = await Promise.all([
          store.chats.findByPartner(workspaceId, person.id, accountIds),
          access.readablePeople(request, [person.id]),
        ]);
        return {
          chats: await summaries(chats, { participants: true }),
          ...(reads(person.id) ? { person: identityDto(person) } : {}),
          keys,
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
            200: ChatWithParticipantsSchema,
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

    app.post(
      '/accounts/:accountId/chats',
      {
        schema: {
          tags: ['chats'],
          summary:
            'Make sure a chat exists for a person or group, before any message (the browser extension)',
          description:
            'So a CRM record can be created or linked for a chat not captured yet. Idempotent: the chat there ' +
            'already is answered with 200, a new one (without messages) with 201. An erased person is ' +
            'refused (`person_erased`); erased members of a group are left out of it.',
          params: z.object({ accountId: z.string() }),
          body: z.strictObject({ chat: IngestChatSchema }),
          response: {
            200: ChatWithParticipantsSchema,
            201: ChatWithParticipantsSchema,
            400: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const account = await access.account(request, request.params.accountId);
        const chat = readChat(request.body.chat, defaultRegionOf(services), config.mediaMaxBytes);
        const { chatId, created } = await services.ingest.ensureChat(account, chat);
        const stored = await store.chats.get(account.workspaceId, chatId);
        if (!stored) throw new WasyncError('not_found', `No chat ${chatId}.`);
        const participants = await store.chats.participants(chatId);
        return reply
          .status(created ? 201 : 200)
          .send({ ...chatDto(stored), participants: participants.map(identityDto) });
      },
    );

    app.post(
      '/chats/:chatId/exclusion',
      {
        schema: {
          tags: ['chats'],
          summary: "Never back up this chat: exclude its person's number, or the group",
          description:
            'Any reader of the chat may: it only narrows what is backed up (removing an exclusion stays with ' +
            "admins, `DELETE /exclusions/{exclusionId}`). A direct chat excludes the partner's number, a group " +
            'the group chat. Idempotent: an exclusion there already is answered with 200, a new one with 201. ' +
            'A partner known only by a linked id (no number shared) is refused with `phone_not_shared`.',
          params: z.object({ chatId: z.string() }),
          response: {
            200: ExclusionSchema,
            201: ExclusionSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const chat = await access.chat(request, request.params.chatId);
        let input: { kind: 'phone' | 'group'; value: string; label: string | undefined };
        if (chat.kind === 'group') {
          input = { kind: 'group', value: chat.id, label: chat.title };
        } else {
          const phone = chat.partner?.phone;
          if (!phone) {
            throw new WasyncError(
              'phone_not_shared',
              "WhatsApp has not shared this person's number (only a linked id), and exclusions name numbers: the chat cannot be excluded yet.",
            );
          }
          input = { kind: 'phone', value: phone, label: chat.title ?? chat.partner?.displayName };
        }
        const { exclusion, created } = await addExclusion(services, request, input);
        return reply.status(created ? 201 : 200).send(exclusionDto(exclusion));
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
