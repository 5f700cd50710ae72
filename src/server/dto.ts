import { z } from 'zod';
import type { Account, Chat, Identity, Message } from '../core/model.js';
import { MESSAGE_TYPES, SOURCE_KINDS } from '../core/model.js';
import type { AccountStats } from '../store/repositories/accounts.js';

/**
 * The JSON the API answers with, and the mapping from domain objects to it. Times are ISO 8601 UTC
 * strings; absent values are omitted rather than null.
 */

const iso = z.string().describe('ISO 8601, UTC');

export const IdentitySchema = z
  .object({
    id: z.string(),
    phone: z.string().optional(),
    waId: z.string().optional(),
    lid: z.string().optional(),
    userId: z.string().optional(),
    username: z.string().optional(),
    name: z.string().optional(),
  })
  .meta({ id: 'Identity' });

export const AccountSchema = z
  .object({
    id: z.string(),
    phone: z.string(),
    sourceKind: z.enum(SOURCE_KINDS),
    displayName: z.string().optional(),
    createdAt: iso,
    lastMessageAt: iso.optional(),
    chats: z.number().int(),
    messages: z.number().int(),
  })
  .meta({ id: 'Account' });

export const ChatSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    type: z.enum(['direct', 'group']),
    title: z.string().optional().describe('Group title, or the partner name of a direct chat.'),
    partner: IdentitySchema.optional(),
    groupId: z.string().optional(),
    createdAt: iso,
    lastMessageAt: iso.optional(),
  })
  .meta({ id: 'ChatSummary' });

export const MessageSchema = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    chatId: z.string(),
    fromMe: z.boolean(),
    senderId: z.string().optional(),
    senderName: z.string().optional(),
    timestamp: iso,
    type: z.enum(MESSAGE_TYPES),
    text: z.string().optional(),
    replyTo: z.string().optional(),
    editedAt: iso.optional(),
    deletedAt: iso.optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    reactions: z.array(
      z.object({ emoji: z.string(), fromMe: z.boolean(), senderId: z.string().optional(), at: iso }),
    ),
    media: z
      .object({
        state: z.enum(['stored', 'pending', 'failed']),
        sha256: z.string().optional(),
        mimeType: z.string().optional(),
        size: z.number().int().optional(),
        fileName: z.string().optional(),
        failure: z.string().optional(),
      })
      .optional(),
  })
  .meta({ id: 'Message' });

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().optional().describe('Pass as `cursor` for the next page.'),
  });

const isoOf = (date: Date | undefined) => date?.toISOString();

/** Drops undefined values so they are omitted from the JSON (exactOptionalPropertyTypes-friendly). */
function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function identityDto(identity: Identity): z.infer<typeof IdentitySchema> {
  return defined({
    id: identity.id,
    phone: identity.phone,
    waId: identity.waId,
    lid: identity.lid,
    userId: identity.bsuid,
    username: identity.username,
    name: identity.displayName,
  });
}

export function accountDto(account: Account, stats: AccountStats | undefined): z.infer<typeof AccountSchema> {
  return defined({
    id: account.id,
    phone: account.phone,
    sourceKind: account.sourceKind,
    displayName: account.displayName,
    createdAt: account.createdAt.toISOString(),
    lastMessageAt: isoOf(account.lastMessageAt),
    chats: stats?.chats ?? 0,
    messages: stats?.messages ?? 0,
  });
}

export function chatDto(chat: Chat): z.infer<typeof ChatSchema> {
  return defined({
    id: chat.id,
    accountId: chat.accountId,
    type: chat.kind,
    title: chat.title ?? chat.partner?.displayName ?? chat.partner?.phone,
    partner: chat.partner && identityDto(chat.partner),
    groupId: chat.groupKey,
    createdAt: chat.createdAt.toISOString(),
    lastMessageAt: isoOf(chat.lastMessageAt),
  });
}

export function messageDto(message: Message): z.infer<typeof MessageSchema> {
  return defined({
    id: message.id,
    sourceId: message.sourceMessageId,
    chatId: message.chatId,
    fromMe: message.fromMe,
    senderId: message.senderIdentityId,
    senderName: message.senderName,
    timestamp: message.sentAt.toISOString(),
    type: message.type,
    text: message.text,
    replyTo: message.replyToSourceId,
    editedAt: isoOf(message.editedAt),
    deletedAt: isoOf(message.deletedAt),
    details: message.details,
    reactions: message.reactions.map((r) =>
      defined({ emoji: r.emoji, fromMe: r.fromMe, senderId: r.identityId, at: r.reactedAt.toISOString() }),
    ),
    media:
      message.media &&
      defined({
        state: message.media.state,
        sha256: message.media.sha256,
        mimeType: message.media.mimeType,
        size: message.media.sizeBytes,
        fileName: message.media.fileName,
        failure: message.media.failure,
      }),
  });
}
