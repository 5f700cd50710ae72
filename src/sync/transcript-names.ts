/**
 * Who is who in a transcript. A CRM reader recognises people by name, so a name wins; a number is
 * the next best thing; "Unknown" beats a blank or an internal id.
 */
import type { Message, Reaction } from '../core/model.js';
import { parseValid } from '../core/phone.js';
import { singleLine } from './transcript-text.js';

export interface TranscriptParticipant {
  identityId: string;
  name: string | undefined;
  /** Canonical E.164; shown in international format. */
  phone: string | undefined;
}

export interface Names {
  sender(message: Message): string;
  reactor(reaction: Reaction): string;
}

export const UNKNOWN_NAME = 'Unknown';

export function namesFor(ownerName: string, participants: ReadonlyMap<string, TranscriptParticipant>): Names {
  const owner = singleLine(ownerName) || 'You';
  const named = (identityId: string | undefined, pushName: string | undefined): string => {
    const participant = identityId === undefined ? undefined : participants.get(identityId);
    return personName(participant?.name ?? pushName, participant?.phone) ?? UNKNOWN_NAME;
  };
  return {
    // The push name the message arrived with covers senders the identity layer has no name for yet.
    sender: (message) => (message.fromMe ? owner : named(message.senderIdentityId, message.senderName)),
    reactor: (reaction) => (reaction.fromMe ? owner : named(reaction.identityId, undefined)),
  };
}

/** The name, else the phone in international format, else undefined. */
export function personName(name: string | undefined, phone: string | undefined): string | undefined {
  const cleaned = name === undefined ? '' : singleLine(name);
  if (cleaned !== '') return cleaned;
  const shown = phone === undefined ? '' : displayPhone(phone);
  return shown === '' ? undefined : shown;
}

/** `+5511987654321` as `+55 11 98765 4321`; anything libphonenumber cannot read is shown as stored. */
export function displayPhone(phone: string): string {
  return parseValid(phone)?.formatInternational() ?? singleLine(phone);
}
