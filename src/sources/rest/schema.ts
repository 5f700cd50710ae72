import { z } from 'zod';
import { MESSAGE_TYPES } from '../../core/model.js';

/**
 * The REST ingest JSON shape (docs/rest-ingest.md). These schemas validate each item and generate the
 * OpenAPI document, so the two cannot drift. Unknown fields are refused: a typo must not silently
 * drop data.
 */

export const MAX_BATCH = 1000;
const sourceId = z.string().min(1).max(256);

export const PartySchema = z
  .union([
    z
      .string()
      .min(1)
      .max(256)
      .describe('Any WhatsApp id or phone: +5511987654321, 5511987654321@s.whatsapp.net, 1234@lid, US.1349…'),
    z.strictObject({
      id: z.string().min(1).max(256).optional().describe('Any WhatsApp id form, as the string form above.'),
      phone: z
        .string()
        .min(1)
        .max(64)
        .optional()
        .describe('A phone number in any spelling; national spellings use WASYNC_DEFAULT_REGION.'),
      lid: z.string().min(1).max(128).optional().describe('WhatsApp linked id, `<digits>@lid`.'),
      userId: z.string().min(1).max(160).optional().describe('Business-scoped user id, `US.1349…`.'),
      parentUserId: z.string().min(1).max(160).optional(),
      username: z.string().min(1).max(128).optional(),
      name: z.string().min(1).max(256).optional().describe('Push name or address-book name.'),
    }),
  ])
  .meta({ id: 'Party' });

export const TimestampSchema = z
  .union([
    z.number().describe('Unix time in seconds (WhatsApp sends seconds).'),
    z.string().describe('ISO 8601 with a zone, e.g. 2026-11-20T10:00:00Z.'),
  ])
  .meta({ id: 'Timestamp' });

export const ChatSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('direct'), with: PartySchema.describe('The other person.') }),
    z.strictObject({
      type: z.literal('group'),
      id: z.string().min(1).max(256).describe('The group id, e.g. 120363012345678901@g.us.'),
      title: z.string().min(1).max(256).optional(),
      participants: z.array(PartySchema).max(2048).optional(),
    }),
  ])
  .meta({ id: 'Chat' });

const MediaSchema = z
  .union([
    z.strictObject({
      base64: z.string().min(1).describe('The file bytes, base64-encoded.'),
      mimeType: z.string().min(1).max(128).optional(),
      fileName: z.string().min(1).max(256).optional(),
    }),
    z.strictObject({
      url: z.url({ protocol: /^https?$/ }).describe('wasync downloads it in the background, with retries.'),
      mimeType: z.string().min(1).max(128).optional(),
      fileName: z.string().min(1).max(256).optional(),
    }),
  ])
  .meta({ id: 'Media' });

const LocationSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(256).optional(),
  address: z.string().max(1024).optional(),
  url: z.string().max(2048).optional(),
});

const ContactCardSchema = z.strictObject({
  name: z.string().min(1).max(256),
  phones: z.array(z.string().max(64)).max(20).optional(),
  emails: z.array(z.string().max(256)).max(20).optional(),
  organization: z.string().max(256).optional(),
});

const common = {
  id: sourceId.describe(
    'The source id of this message or event; unique per account. Re-sending it stores nothing new.',
  ),
  timestamp: TimestampSchema,
  from: PartySchema.optional().describe('Who sent it. Required for inbound group messages and reactions.'),
  fromMe: z.boolean().optional().describe('Sent by the account owner. Default false.'),
  raw: z.unknown().optional().describe("The source's original payload, stored verbatim."),
};

export const MessageItemSchema = z
  .strictObject({
    kind: z.literal('message').optional().describe('Default.'),
    ...common,
    chat: ChatSchema,
    type: z.enum(MESSAGE_TYPES).optional().describe('Default text.'),
    text: z.string().max(65_536).optional().describe('The text, or the caption of a media message.'),
    replyTo: sourceId.optional().describe('Source id of the message this one quotes.'),
    media: MediaSchema.optional(),
    location: LocationSchema.optional(),
    contacts: z.array(ContactCardSchema).max(50).optional(),
    forwarded: z.boolean().optional(),
  })
  .meta({ id: 'MessageItem' });

export const EditItemSchema = z
  .strictObject({ kind: z.literal('edit'), ...common, target: sourceId, text: z.string().max(65_536) })
  .meta({ id: 'EditItem' });
export const DeleteItemSchema = z
  .strictObject({ kind: z.literal('delete'), ...common, target: sourceId })
  .meta({ id: 'DeleteItem' });
export const ReactionItemSchema = z
  .strictObject({
    kind: z.literal('reaction'),
    ...common,
    target: sourceId,
    emoji: z.string().max(32).describe('The emoji; an empty string removes the reaction.'),
  })
  .meta({ id: 'ReactionItem' });

export const ITEM_SCHEMAS = {
  message: MessageItemSchema,
  edit: EditItemSchema,
  delete: DeleteItemSchema,
  reaction: ReactionItemSchema,
} as const;

export type MessageItemInput = z.infer<typeof MessageItemSchema>;
export type EditItemInput = z.infer<typeof EditItemSchema>;
export type DeleteItemInput = z.infer<typeof DeleteItemSchema>;
export type ReactionItemInput = z.infer<typeof ReactionItemSchema>;
export type PartyInput = z.infer<typeof PartySchema>;
export type ChatInput = z.infer<typeof ChatSchema>;

/** Documents the batch; items are validated one by one (see parse.ts) so errors can name each item. */
export const IngestBatchSchema = z
  .strictObject({
    messages: z
      .array(z.union([MessageItemSchema, EditItemSchema, DeleteItemSchema, ReactionItemSchema]))
      .min(1)
      .max(MAX_BATCH),
  })
  .meta({ id: 'IngestBatch' });

export const IngestResultSchema = z
  .object({
    received: z.number().int(),
    stored: z.object({ messages: z.number().int(), events: z.number().int() }),
    duplicates: z.object({ messages: z.number().int(), events: z.number().int() }),
    dropped: z
      .object({ messages: z.number().int(), events: z.number().int() })
      .describe(
        'Left out, never stored: they involve a person who was erased (a tombstone holds the number).',
      ),
  })
  .meta({ id: 'IngestResult' });
