/**
 * One message as transcript lines. Nothing is dropped: every type gets a readable line, and what
 * happened to a message later (edits, deletion, reactions) is shown on it.
 */
import type { Message, MessageType } from '../core/model.js';
import type { TranscriptLine as Line, TranscriptBlock as MessageBlock } from '../crms/types.js';
import {
  type ContactCard,
  contactsOf,
  isForwarded,
  isSentElsewhere,
  locationOf,
  mapsLink,
  type SharedLocation,
} from './transcript-details.js';
import { isMediaType, mediaLine } from './transcript-media.js';
import type { Names } from './transcript-names.js';
import { singleLine, textLines, truncate } from './transcript-text.js';
import { type LocalTime, localTime } from './transcript-time.js';

export interface MessageContext {
  names: Names;
  timeZone: string;
  /** Every message of the input, to quote the one a reply points at even when it is on another day. */
  bySourceId: ReadonlyMap<string, Message>;
}

const DELETED_NOTICE = 'This message was deleted';
const SENT_ELSEWHERE_NOTICE = '[Sent from another app: its text did not reach wasync]';
const QUOTE_LENGTH = 60;

const TYPE_LABELS: Readonly<Record<MessageType, string>> = {
  text: 'Message',
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  voice: 'Voice message',
  document: 'Document',
  sticker: 'Sticker',
  location: 'Location',
  contacts: 'Contact card',
  interactive: 'Interactive message',
  button: 'Button reply',
  order: 'Order',
  system: 'System message',
  unsupported: 'Unsupported message',
};

export function messageBlock(message: Message, local: LocalTime, context: MessageContext): MessageBlock {
  const sender = context.names.sender(message);
  // A deleted message shows only that it existed: its text and files were withdrawn by their sender.
  if (message.deletedAt !== undefined) return { time: local.time, sender, lines: [[DELETED_NOTICE]] };
  const reply = replyLine(message, context);
  const lines: Line[] = [...(reply === undefined ? [] : [[reply]]), ...contentLines(message, sender)];
  if (isForwarded(message.details)) lines[0]?.unshift('[Forwarded] ');
  appendToLast(lines, editNote(message, local, context.timeZone));
  appendToLast(lines, reactionsNote(message, context.names));
  return { time: local.time, sender, lines };
}

function contentLines(message: Message, sender: string): Line[] {
  if (isSentElsewhere(message.details)) return [[SENT_ELSEWHERE_NOTICE]];
  const label = TYPE_LABELS[message.type];
  const typed: Line[] = [];
  if (message.media !== undefined || isMediaType(message.type)) {
    const isDocument = message.type === 'document';
    typed.push([mediaLine({ media: message.media, label, isDocument, senderName: sender })]);
  }
  const location = locationOf(message.details);
  if (location !== undefined) typed.push(locationLine(location));
  typed.push(...contactsOf(message.details).map((card) => [contactLine(card)]));
  const text = textLines(message.text ?? '');
  if (typed.length > 0) return [...typed, ...text.map((line) => [line])];
  if (message.type === 'text') return text.length > 0 ? text.map((line) => [line]) : [['[Empty message]']];
  // Types without a line of their own (a button reply, an order, a location whose details are
  // missing) keep their label in front of whatever text came with them.
  const [first, ...rest] = text;
  const tag = `[${label}]`;
  return [[first === undefined ? tag : `${tag} ${first}`], ...rest.map((line) => [line])];
}

function locationLine(location: SharedLocation): Line {
  const place = [location.name, location.address].filter((part) => part !== undefined).join(', ');
  const link = mapsLink(location);
  const line: Line = [place === '' ? '📍 Location' : `📍 Location: ${place}`];
  if (link !== undefined) line.push(place === '' ? ': ' : ' — ', { link });
  return line;
}

function contactLine(card: ContactCard): string {
  const name = card.name ?? 'Unnamed contact';
  const who = card.organization === undefined ? name : `${name} (${card.organization})`;
  const reach = [...card.phones, ...card.emails];
  return `👤 Contact: ${who}${reach.length > 0 ? ` — ${reach.join(', ')}` : ''}`;
}

function replyLine(message: Message, context: MessageContext): string | undefined {
  if (message.replyToSourceId === undefined) return undefined;
  const quoted = context.bySourceId.get(message.replyToSourceId);
  if (quoted === undefined) return `↪ replying to message ${singleLine(message.replyToSourceId)}`;
  return `↪ replying to ${context.names.sender(quoted)}: ${quoteOf(quoted)}`;
}

/** A short reminder of the quoted message: its text, else what kind of message it was. */
function quoteOf(message: Message): string {
  if (message.deletedAt !== undefined) return `[${DELETED_NOTICE}]`;
  const text = singleLine(message.text ?? '');
  if (text !== '') return `"${truncate(text, QUOTE_LENGTH)}"`;
  const label = TYPE_LABELS[message.type];
  const fileName = singleLine(message.media?.fileName ?? '');
  return fileName === '' ? `[${label}]` : `[${label}: ${truncate(fileName, QUOTE_LENGTH)}]`;
}

function editNote(message: Message, local: LocalTime, timeZone: string): string | undefined {
  if (message.editedAt === undefined) return undefined;
  const edited = localTime(message.editedAt, timeZone);
  return `(edited ${edited.day === local.day ? edited.time : `${edited.day} ${edited.time}`})`;
}

function reactionsNote(message: Message, names: Names): string | undefined {
  const reactions = [...message.reactions]
    .filter((reaction) => singleLine(reaction.emoji) !== '')
    .sort((a, b) => a.reactedAt.getTime() - b.reactedAt.getTime())
    .map((reaction) => `${singleLine(reaction.emoji)} ${names.reactor(reaction)}`);
  return reactions.length > 0 ? `[${reactions.join(', ')}]` : undefined;
}

function appendToLast(lines: Line[], note: string | undefined): void {
  if (note !== undefined) lines[lines.length - 1]?.push(` ${note}`);
}
