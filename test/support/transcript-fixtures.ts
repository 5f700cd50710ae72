/**
 * Test-only builders for the transcript tests: a stored message with everything off, and a chat whose
 * people are Ana and Bruno. Kept beside the tests because the renderer is their only user.
 */
import type { MediaInfo, Message, Reaction } from '../../src/core/model.js';
import { renderText } from '../../src/crms/kit/transcript-render.js';
import type { DayTranscript, TranscriptInput, TranscriptParticipant } from '../../src/sync/transcript.js';

export const ANA: TranscriptParticipant = {
  identityId: 'idn_ana',
  name: 'Ana Souza',
  phone: '+5511987654321',
};
export const BRUNO: TranscriptParticipant = {
  identityId: 'idn_bruno',
  name: 'Bruno',
  phone: '+5521998765432',
};

let sequence = 0;

/** A text message from Ana, sent at `at` (ISO with zone); override any field. */
export function message(at: string, overrides: Partial<Message> = {}): Message {
  sequence += 1;
  const id = `msg_${String(sequence).padStart(6, '0')}`;
  return {
    id,
    accountId: 'acc_1',
    chatId: 'chat_1',
    sourceMessageId: `wamid.${id}`,
    senderIdentityId: ANA.identityId,
    senderName: undefined,
    fromMe: false,
    sentAt: new Date(at),
    type: 'text',
    text: 'hello',
    replyToSourceId: undefined,
    editedAt: undefined,
    delivery: undefined,
    deletedAt: undefined,
    details: undefined,
    reactions: [],
    media: undefined,
    ...overrides,
  };
}

export function fromMe(at: string, overrides: Partial<Message> = {}): Message {
  return message(at, { senderIdentityId: undefined, fromMe: true, ...overrides });
}

export function media(overrides: Partial<MediaInfo> = {}): MediaInfo {
  return {
    id: 'med_1',
    state: 'stored',
    sha256: undefined,
    mimeType: 'application/pdf',
    sizeBytes: 1_258_291,
    fileName: 'quote.pdf',
    failure: undefined,
    ...overrides,
  };
}

export function reaction(emoji: string, who: TranscriptParticipant | 'me', at: string): Reaction {
  return who === 'me'
    ? { emoji, identityId: undefined, fromMe: true, reactedAt: new Date(at) }
    : { emoji, identityId: who.identityId, fromMe: false, reactedAt: new Date(at) };
}

/** A direct chat with Ana in UTC; override any field. */
export function directChat(
  messages: readonly Message[],
  overrides: Partial<TranscriptInput> = {},
): TranscriptInput {
  return {
    chat: { id: 'chat_1', kind: 'direct', title: undefined },
    ownerName: 'You',
    participants: new Map([[ANA.identityId, ANA]]),
    messages,
    timeZone: 'UTC',
    ...overrides,
  };
}

/** The group "Acme buyers" with Ana and Bruno, in UTC; override any field. */
export function groupChat(
  messages: readonly Message[],
  overrides: Partial<TranscriptInput> = {},
): TranscriptInput {
  return directChat(messages, {
    chat: { id: 'chat_2', kind: 'group', title: 'Acme buyers' },
    participants: new Map([
      [ANA.identityId, ANA],
      [BRUNO.identityId, BRUNO],
    ]),
    ...overrides,
  });
}

/** A rendered day as plain text, the form most transcript tests read ('' for no day). */
export function textOf(day: DayTranscript | undefined): string {
  return day === undefined ? '' : renderText(day.content);
}
