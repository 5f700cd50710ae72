/**
 * The stored model every source writes and every destination reads. Sources translate their own
 * payloads into these shapes (see src/ingest/types.ts for the input side); nothing here knows about
 * a particular source or CRM.
 */

export type SourceKind = 'rest' | 'whatsapp_cloud' | 'linked_device' | 'chat_export';
export const SOURCE_KINDS: readonly SourceKind[] = ['rest', 'whatsapp_cloud', 'linked_device', 'chat_export'];

export type Role = 'admin' | 'member';

export interface Workspace {
  id: string;
  name: string;
  timeZone: string;
  defaultRegion: string | undefined;
  createdAt: Date;
}

/** A connected WhatsApp number and how its messages reach wasync. */
export interface Account {
  id: string;
  workspaceId: string;
  phone: string;
  sourceKind: SourceKind;
  displayName: string | undefined;
  createdAt: Date;
  lastMessageAt: Date | undefined;
  /** The person the number belongs to; undefined for one made by the operator and given to no one. */
  ownerId: string | undefined;
  visibility: AccountVisibility;
}

/**
 * Who reads a number's chats: `team`, everyone on the team; `private`, its owner, the people it is
 * shared with, and admins (unless the workspace narrows admins to what they own or share too).
 */
export type AccountVisibility = 'team' | 'private';
export const ACCOUNT_VISIBILITIES: readonly AccountVisibility[] = ['team', 'private'];

/** A rep's own phone (linked as a device, or imported from its exports) is private unless they share it. */
export function defaultVisibility(sourceKind: SourceKind): AccountVisibility {
  return sourceKind === 'linked_device' || sourceKind === 'chat_export' ? 'private' : 'team';
}

/** One person as WhatsApp knows them: any of phone, lid and business-scoped user id may be unknown. */
export interface Identity {
  id: string;
  phone: string | undefined;
  waId: string | undefined;
  lid: string | undefined;
  bsuid: string | undefined;
  parentBsuid: string | undefined;
  username: string | undefined;
  displayName: string | undefined;
}

export type ChatKind = 'direct' | 'group';

export interface Chat {
  id: string;
  accountId: string;
  kind: ChatKind;
  /** The other person of a direct chat. */
  partner: Identity | undefined;
  /** The source's id of a group chat (`…@g.us` or any stable id a REST client gives). */
  groupKey: string | undefined;
  title: string | undefined;
  createdAt: Date;
  lastMessageAt: Date | undefined;
  /**
   * Messages sent from this time on go to the CRM whatever the backfill window says: the user asked for
   * this chat's history (an import, "Send older history"). Undefined: the window alone decides.
   */
  historyFrom?: Date | undefined;
}

export const MESSAGE_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'voice',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'order',
  'system',
  'unsupported',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface Reaction {
  emoji: string;
  /** Identity of who reacted; undefined when the account owner did. */
  identityId: string | undefined;
  fromMe: boolean;
  reactedAt: Date;
}

export type MediaState = 'stored' | 'pending' | 'failed';

export interface MediaInfo {
  id: string;
  state: MediaState;
  sha256: string | undefined;
  mimeType: string | undefined;
  sizeBytes: number | undefined;
  fileName: string | undefined;
  failure: string | undefined;
}

export interface Message {
  id: string;
  accountId: string;
  chatId: string;
  sourceMessageId: string;
  senderIdentityId: string | undefined;
  senderName: string | undefined;
  fromMe: boolean;
  sentAt: Date;
  type: MessageType;
  text: string | undefined;
  replyToSourceId: string | undefined;
  editedAt: Date | undefined;
  /** For messages sent from the account, where WhatsApp last said they stand (sent … read, or failed). */
  delivery: { status: string; at: Date } | undefined;
  deletedAt: Date | undefined;
  /** Type-specific fields: location coordinates, contact cards, interactive replies. */
  details: Record<string, unknown> | undefined;
  reactions: Reaction[];
  media: MediaInfo | undefined;
}

/** Which kind of CRM record a chat partner is linked to; the one spelling store, server and web share. */
export const RECORD_TYPES = ['contact', 'lead'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
