/**
 * The chat transcript: one readable note per chat per local day, which the sync engine rewrites in
 * place as the day goes on. Pure: the engine loads the messages, renders, and writes the result.
 */
import type { Message } from '../core/model.js';
import type { TranscriptContent } from '../crms/types.js';
import { type TranscriptAttachment, toAttachment } from './transcript-media.js';
import { type MessageContext, messageBlock } from './transcript-message.js';
import { namesFor, personName, type TranscriptParticipant, UNKNOWN_NAME } from './transcript-names.js';
import { singleLine } from './transcript-text.js';
import { type LocalTime, localTime } from './transcript-time.js';

export type { TranscriptAttachment } from './transcript-media.js';
export type { TranscriptParticipant } from './transcript-names.js';

export interface TranscriptInput {
  chat: { id: string; kind: 'direct' | 'group'; title: string | undefined };
  /** Display name of the account owner (the rep), e.g. "You" or the business name. */
  ownerName: string;
  /**
   * Who is who, to name senders and reactors. For a direct chat this is the partner; should it hold
   * more people, the partner is whoever wrote in.
   */
  participants: ReadonlyMap<string, TranscriptParticipant>;
  /** Any order; a message given twice (same id) is rendered once. */
  messages: readonly Message[];
  /** IANA time zone the day is cut in, e.g. 'America/Sao_Paulo'. */
  timeZone: string;
}

export interface DayTranscript {
  /** Local calendar date in the time zone, 'YYYY-MM-DD'. */
  day: string;
  /** The header and a block per message; each destination renders it in its CRM's format. */
  content: TranscriptContent;
  messageCount: number;
  firstMessageAt: Date;
  lastMessageAt: Date;
  /** Source ids of the messages included, in order; the sync engine uses them for its ledger. */
  sourceMessageIds: string[];
  /** Files of the day's messages that were not deleted, in order, for CRMs that upload them. */
  attachments: TranscriptAttachment[];
}

interface LocalMessage {
  message: Message;
  local: LocalTime;
}

interface DayGroup {
  day: string;
  messages: [LocalMessage, ...LocalMessage[]];
}

/** The chat's transcripts, one per local day that has messages, sorted by day; messages by (sentAt, id). */
export function renderDayTranscripts(input: TranscriptInput): DayTranscript[] {
  const messages = inTranscriptOrder(input.messages);
  const context: MessageContext = {
    names: namesFor(input.ownerName, input.participants),
    timeZone: input.timeZone,
    bySourceId: new Map(messages.map((message) => [message.sourceMessageId, message])),
  };
  const title = chatTitle(input, messages);
  return groupByDay(messages, input.timeZone).map((group) => renderDay(group, title, context));
}

function renderDay(group: DayGroup, title: string, context: MessageContext): DayTranscript {
  const header = `${title} — ${group.day}`;
  const blocks = group.messages.map(({ message, local }) => messageBlock(message, local, context));
  const first = group.messages[0];
  const last = group.messages[group.messages.length - 1] ?? first;
  return {
    day: group.day,
    content: { header, blocks },
    messageCount: group.messages.length,
    firstMessageAt: new Date(first.message.sentAt),
    lastMessageAt: new Date(last.message.sentAt),
    sourceMessageIds: group.messages.map(({ message }) => message.sourceMessageId),
    attachments: group.messages.flatMap(({ message, local }) =>
      message.media === undefined || message.deletedAt !== undefined
        ? []
        : [toAttachment({ message, media: message.media, senderName: context.names.sender(message), local })],
    ),
  };
}

function inTranscriptOrder(messages: readonly Message[]): Message[] {
  // A message handed over twice (a replayed page of history, say) must still be one line and one
  // ledger entry.
  const unique = new Map(messages.map((message) => [message.id, message]));
  return [...unique.values()].sort(
    (a, b) => a.sentAt.getTime() - b.sentAt.getTime() || compareStrings(a.id, b.id),
  );
}

function groupByDay(messages: readonly Message[], timeZone: string): DayGroup[] {
  const days = new Map<string, DayGroup>();
  for (const message of messages) {
    const local = localTime(message.sentAt, timeZone);
    const group = days.get(local.day);
    if (group === undefined) days.set(local.day, { day: local.day, messages: [{ message, local }] });
    else group.messages.push({ message, local });
  }
  // Days come out of time order already, except where a DST switch turns the clock back over
  // midnight; sorting the few keys makes that a non-question.
  return [...days.values()].sort((a, b) => compareStrings(a.day, b.day));
}

function chatTitle(input: TranscriptInput, messages: readonly Message[]): string {
  if (input.chat.kind === 'group') {
    const title = singleLine(input.chat.title ?? '');
    return title === '' ? 'WhatsApp group' : `WhatsApp group "${title}"`;
  }
  return `WhatsApp chat with ${partnerLabel(input, messages)}`;
}

/** `Ana Souza (+55 11 98765 4321)`; either part alone when the other is unknown. */
function partnerLabel(input: TranscriptInput, messages: readonly Message[]): string {
  const partner = partnerOf(input.participants, messages);
  const name = personName(partner?.name, undefined) ?? personName(input.chat.title, undefined);
  const phone = personName(undefined, partner?.phone);
  if (name !== undefined && phone !== undefined) return `${name} (${phone})`;
  return name ?? phone ?? UNKNOWN_NAME;
}

function partnerOf(
  participants: TranscriptInput['participants'],
  messages: readonly Message[],
): TranscriptParticipant | undefined {
  for (const message of messages) {
    if (message.fromMe || message.senderIdentityId === undefined) continue;
    const sender = participants.get(message.senderIdentityId);
    if (sender !== undefined) return sender;
  }
  return participants.values().next().value;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
