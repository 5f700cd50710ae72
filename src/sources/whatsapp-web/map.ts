import { getContentType, normalizeMessageContent, proto, type WAMessage } from 'baileys';
import type { MessageType } from '../../core/model.js';
import type { PartyRef } from '../../core/party.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { IngestChat, IngestItem, IngestMedia, IngestMessage } from '../../ingest/types.js';
import { pollOf, votesOf } from './polls.js';

/**
 * The linked-device source's messages (the library's `WAMessage`) in the ingest contract, by the rules
 * the Cloud API source follows: every content type kept (unknown ones as `unsupported`), replies,
 * edits, revokes and reactions as events, from-me messages as such. Media is left to download later
 * through a `whatsapp-web://<account>/<message id>` URL. Status broadcasts and channels are not chats.
 */
export interface MapContext {
  accountId: string;
  /** Poll votes read already, by the vote's message id: the names of the options chosen. */
  pollVotes?: ReadonlyMap<string, string[]> | undefined;
}

/** A person from a JID and its alternate (a `@lid` with its phone, or the other way round). */
export function partyOf(
  jid: string | null | undefined,
  alt?: string | null,
  name?: string | null,
): PartyRef | undefined {
  return partyOfJids([jid, alt], name);
}

/** A person from every JID known for them (a contact's id, lid and phone number). */
export function partyOfJids(
  jids: readonly (string | null | undefined)[],
  name?: string | null,
): PartyRef | undefined {
  const party: PartyRef = {};
  for (const candidate of jids) {
    if (!candidate) continue;
    const parsed = parseWhatsAppId(candidate);
    if (!parsed.ok) continue;
    if (parsed.address.kind === 'phone') party.phone = parsed.address.e164;
    else if (parsed.address.kind === 'lid') party.lid = parsed.address.lid;
  }
  if (!party.phone && !party.lid) return undefined;
  if (name) party.name = name;
  return party;
}

function chatOf(message: WAMessage): IngestChat | undefined {
  const { key } = message;
  const remote = key.remoteJid ?? '';
  const parsed = parseWhatsAppId(remote);
  if (!parsed.ok) return undefined;
  if (parsed.address.kind === 'group') {
    return { kind: 'group', groupKey: parsed.address.groupJid, title: undefined, participants: [] };
  }
  if (parsed.address.kind !== 'phone' && parsed.address.kind !== 'lid') return undefined;
  // The alternate is the sender's: on a message from the account it is the account's own number or
  // lid, not the partner's (WhiskeySockets/Baileys src/Utils/decode-wa-message.ts).
  const partner = key.fromMe ? partyOf(remote) : partyOf(remote, key.remoteJidAlt, message.pushName);
  return partner && { kind: 'direct', partner };
}

const MEDIA: Partial<Record<keyof proto.IMessage, MessageType>> = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
};

/** The messages and events of one `WAMessage`; empty for what is no chat content (stubs, broadcasts). */
export function mapWebMessage(message: WAMessage, context: MapContext): IngestItem[] {
  const { key } = message;
  const id = key.id;
  const chat = chatOf(message);
  if (!id || !chat) return [];
  const fromMe = key.fromMe === true;
  const sender = fromMe
    ? undefined
    : chat.kind === 'direct'
      ? chat.partner
      : partyOf(key.participant, key.participantAlt, message.pushName);
  if (!fromMe && !sender) return [];
  const sentAt = Number(message.messageTimestamp ?? 0) * 1000;
  const content = normalizeMessageContent(message.message);
  const type = getContentType(content ?? undefined);
  const raw = proto.WebMessageInfo.toObject(message as proto.WebMessageInfo, {
    longs: String,
    bytes: String,
  });
  // The key's alternates (the phone behind a @lid) are no protobuf fields: kept beside the rest.
  raw.key = {
    ...(raw.key as object),
    ...(key.remoteJidAlt ? { remoteJidAlt: key.remoteJidAlt } : {}),
    ...(key.participantAlt ? { participantAlt: key.participantAlt } : {}),
    ...(key.addressingMode ? { addressingMode: key.addressingMode } : {}),
  };
  const event = (
    kind: 'edit' | 'delete' | 'reaction',
    target: string,
    text?: string,
    emoji?: string,
  ): IngestItem => ({
    kind,
    sourceId: id,
    target,
    sender,
    fromMe,
    occurredAt: sentAt,
    text,
    emoji,
    raw,
  });

  if (!content || !type) {
    // A system notice (someone joined, the group was renamed); undecryptable stubs are skipped.
    if (message.messageStubType) {
      // A message the device could not decrypt yet: the phone resends it under the same id.
      if (message.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT) return [];
      // A revoke the library folded onto its message while buffering: the revoke's own protocol
      // message deletes the original, and this shell carries nothing of it.
      if (message.messageStubType === proto.WebMessageInfo.StubType.REVOKE) return [];
      const parameters = (message.messageStubParameters ?? []) as string[];
      if (parameters.some((p) => /Bad MAC|No session|Invalid PreKey|No matching sessions/i.test(String(p))))
        return [];
      return [
        {
          kind: 'message',
          sourceId: id,
          chat,
          sender: undefined,
          fromMe,
          sentAt,
          type: 'system',
          text: undefined,
          replyTo: undefined,
          details: {
            stub: proto.WebMessageInfo.StubType[message.messageStubType] ?? message.messageStubType,
            parameters,
          },
          media: undefined,
          raw,
        },
      ];
    }
    return [];
  }
  if (type === 'reactionMessage') {
    const reaction = content.reactionMessage;
    return reaction?.key?.id ? [event('reaction', reaction.key.id, undefined, reaction.text ?? '')] : [];
  }
  if (type === 'protocolMessage') {
    const protocol = content.protocolMessage;
    const target = protocol?.key?.id;
    if (!target) return [];
    if (protocol.type === proto.Message.ProtocolMessage.Type.REVOKE) return [event('delete', target)];
    if (protocol.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
      const edited = normalizeMessageContent(protocol.editedMessage);
      return [event('edit', target, textOf(edited) ?? '')];
    }
    return [];
  }

  /** This message as stored, with what its kind says of it. */
  const stored = (
    content_: Pick<IngestMessage, 'type' | 'text' | 'replyTo' | 'details' | 'media'>,
  ): IngestItem => ({ kind: 'message', sourceId: id, chat, sender, fromMe, sentAt, ...content_, raw });
  // Pinning a message or keeping a disappearing one come as messages of their own that name their
  // target: stored as notices from whoever did it, pointing at the message (a reply's link).
  const notice = (words: string, target: string, details: Record<string, unknown>): IngestItem =>
    stored({ type: 'system', text: words, replyTo: target, details, media: undefined });
  if (type === 'pinInChatMessage') {
    const pin = content.pinInChatMessage;
    const target = pin?.key?.id;
    if (!target) return [];
    const pinned = pin.type !== proto.Message.PinInChatMessage.Type.UNPIN_FOR_ALL;
    return [
      notice(pinned ? '📌 Pinned a message' : 'Unpinned a message', target, { pin: { target, pinned } }),
    ];
  }
  if (type === 'keepInChatMessage') {
    const keep = content.keepInChatMessage;
    const target = keep?.key?.id;
    if (!target) return [];
    const kept = keep.keepType !== proto.KeepType.UNDO_KEEP_FOR_ALL;
    return [
      notice(kept ? '🔖 Kept a message in the chat' : 'Stopped keeping a message in the chat', target, {
        keep: { target, kept },
      }),
    ];
  }
  const poll = pollOf(content);
  if (poll) {
    // A poll out of the history carries its votes, read already by the phone.
    const counted = message.pollUpdates?.length ? votesOf(message) : undefined;
    const options = poll.options.map((option) =>
      counted ? `• ${option} (${counted.get(option) ?? 0})` : `• ${option}`,
    );
    return [
      stored({
        type: 'interactive',
        text: [`📊 ${poll.question}`, ...options].join('\n'),
        replyTo: contextInfoOf(content)?.stanzaId ?? undefined,
        details: { poll: counted ? { ...poll, votes: Object.fromEntries(counted) } : poll },
        media: undefined,
      }),
    ];
  }
  if (type === 'pollUpdateMessage') {
    const target = content.pollUpdateMessage?.pollCreationMessageKey?.id;
    if (!target) return [];
    // The vote is encrypted for the poll: the session reads it with the poll's key when it has the poll.
    const chosen = context.pollVotes?.get(id);
    const words =
      chosen === undefined
        ? '🗳 Voted in the poll'
        : chosen.length === 0
          ? '🗳 Withdrew the vote'
          : `🗳 Voted: ${chosen.join(', ')}`;
    return [notice(words, target, { vote: { poll: target, ...(chosen ? { options: chosen } : {}) } })];
  }

  const context_ = contextInfoOf(content);
  const details: Record<string, unknown> = {};
  // An edit the library folded onto its message while buffering: the content is the edited one.
  if (message.message?.editedMessage) details.edited = true;
  if (context_?.isForwarded) details.forwarded = true;
  if ((context_?.forwardingScore ?? 0) >= 5) details.frequentlyForwarded = true;
  let messageType: MessageType = 'text';
  let text = textOf(content);
  let media: IngestMedia | undefined;
  const mediaType = MEDIA[type];
  if (mediaType) {
    const body = content[type] as {
      mimetype?: string | null;
      fileName?: string | null;
      ptt?: boolean | null;
    };
    messageType = type === 'audioMessage' && body.ptt ? 'voice' : mediaType;
    media = {
      kind: 'url',
      url: `whatsapp-web://${encodeURIComponent(context.accountId)}/${encodeURIComponent(id)}`,
      mimeType: body.mimetype ?? undefined,
      fileName: body.fileName ?? undefined,
    };
  } else if (type === 'locationMessage' || type === 'liveLocationMessage') {
    const live = content.liveLocationMessage;
    const fixed = content.locationMessage;
    const location = fixed ?? live;
    messageType = 'location';
    text = fixed?.name ?? live?.caption ?? undefined;
    details.location = {
      latitude: location?.degreesLatitude ?? undefined,
      longitude: location?.degreesLongitude ?? undefined,
      ...(fixed?.name ? { name: fixed.name } : {}),
      ...(fixed?.address ? { address: fixed.address } : {}),
      ...(live ? { live: true } : {}),
    };
  } else if (type === 'contactMessage' || type === 'contactsArrayMessage') {
    messageType = 'contacts';
    const cards =
      type === 'contactMessage' ? [content.contactMessage] : (content.contactsArrayMessage?.contacts ?? []);
    details.contacts = cards.map((card) => ({
      name: card?.displayName ?? undefined,
      phones: [...(card?.vcard ?? '').matchAll(/TEL[^:]*:([^\r\n]+)/g)].map((m) => (m[1] ?? '').trim()),
    }));
  } else if (
    type === 'buttonsResponseMessage' ||
    type === 'listResponseMessage' ||
    type === 'templateButtonReplyMessage' ||
    type === 'interactiveResponseMessage'
  ) {
    messageType = 'interactive';
    details.interactive = { type };
  } else if (type !== 'conversation' && type !== 'extendedTextMessage') {
    messageType = 'unsupported';
    details.originalType = type;
  }
  return [
    stored({
      type: messageType,
      text: text ?? undefined,
      replyTo: context_?.stanzaId ?? undefined,
      details: Object.keys(details).length > 0 ? details : undefined,
      media,
    }),
  ];
}

/** The words of a message: plain text, extended text, or a media caption. */
function textOf(content: proto.IMessage | undefined): string | undefined {
  if (!content) return undefined;
  return (
    content.conversation ??
    content.extendedTextMessage?.text ??
    content.imageMessage?.caption ??
    content.videoMessage?.caption ??
    content.documentMessage?.caption ??
    content.buttonsResponseMessage?.selectedDisplayText ??
    content.listResponseMessage?.title ??
    content.templateButtonReplyMessage?.selectedDisplayText ??
    content.interactiveResponseMessage?.body?.text ??
    undefined
  );
}

function contextInfoOf(content: proto.IMessage): proto.IContextInfo | undefined {
  const type = getContentType(content);
  if (!type) return undefined;
  const body = content[type] as { contextInfo?: proto.IContextInfo | null } | null | undefined;
  return body && typeof body === 'object' && 'contextInfo' in body
    ? (body.contextInfo ?? undefined)
    : undefined;
}

/** A stored message's payload back as the library's type (it was stored as its plain-object form). */
export function toWAMessage(raw: unknown): WAMessage | undefined {
  if (!raw || typeof raw !== 'object' || !('key' in raw)) return undefined;
  try {
    return proto.WebMessageInfo.fromObject(raw as Record<string, unknown>) as WAMessage;
  } catch {
    return undefined;
  }
}
