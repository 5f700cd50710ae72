import {
  decryptPollVote,
  getAggregateVotesInPollMessage,
  jidNormalizedUser,
  normalizeMessageContent,
  type proto,
  type WAMessage,
  type WAMessageKey,
} from 'baileys';

/** A poll as stored in a message's details: its question, its options and, if known, their votes. */
export interface Poll {
  question: string;
  options: string[];
  /** How many options one person may choose (0: any number). */
  selectable: number;
}

/** The poll a message carries (any of the protocol's poll creation versions), else undefined. */
export function pollOf(content: proto.IMessage): Poll | undefined {
  const creation =
    content.pollCreationMessage ??
    content.pollCreationMessageV2 ??
    content.pollCreationMessageV3 ??
    content.pollCreationMessageV5;
  if (!creation) return undefined;
  return {
    question: creation.name ?? '',
    options: (creation.options ?? []).map((option) => option.optionName ?? ''),
    selectable: creation.selectableOptionsCount ?? 0,
  };
}

/**
 * The options a vote chose, by name, read with the poll's own key; undefined when it cannot be read
 * (the poll is not stored, or the keys do not open it). A vote is encrypted for its poll: the key is
 * the poll message's `messageSecret`, mixed with the poll's id and its creator's and voter's JIDs
 * (WhiskeySockets/Baileys src/Utils/process-message.ts, `decryptPollVote`). Which form of a JID
 * (phone or @lid) the voter's phone used is not said, so each known form is tried. The chosen
 * options come as hashes of their names, matched to the poll's options by the library's
 * `getAggregateVotesInPollMessage` (src/Utils/messages.ts). An empty list is a vote withdrawn.
 */
export function readVote(vote: WAMessage, poll: WAMessage, me: readonly string[]): string[] | undefined {
  const encrypted = normalizeMessageContent(vote.message)?.pollUpdateMessage?.vote;
  const secret = poll.message?.messageContextInfo?.messageSecret;
  const pollId = poll.key.id;
  if (!encrypted?.encPayload || !encrypted.encIv || !secret || !pollId) return undefined;
  for (const creator of authorsOf(poll.key, me)) {
    for (const voter of authorsOf(vote.key, me)) {
      try {
        const decoded = decryptPollVote(encrypted, {
          pollCreatorJid: creator,
          pollMsgId: pollId,
          pollEncKey: secret,
          voterJid: voter,
        });
        return chosen(poll, vote.key, decoded);
      } catch {
        // Another form of the JIDs, then.
      }
    }
  }
  return undefined;
}

/** The option names a decrypted vote chose. */
export function chosen(
  poll: WAMessage,
  voteKey: WAMessageKey,
  vote: proto.Message.IPollVoteMessage,
): string[] {
  if (!vote.selectedOptions?.length) return [];
  return getAggregateVotesInPollMessage({
    message: normalizeMessageContent(poll.message) ?? null,
    pollUpdates: [{ pollUpdateMessageKey: voteKey, vote }],
  })
    .filter((option) => option.voters.length > 0)
    .map((option) => option.name);
}

/** How many votes each option of a poll has, from the votes the message carries (a history poll's). */
export function votesOf(poll: WAMessage): Map<string, number> {
  const results = getAggregateVotesInPollMessage({
    message: normalizeMessageContent(poll.message) ?? null,
    pollUpdates: poll.pollUpdates ?? null,
  });
  return new Map(results.map((option) => [option.name, option.voters.length]));
}

/** Every JID form a message's author may go by: the account's own for a from-me key. */
function authorsOf(key: WAMessageKey, me: readonly string[]): string[] {
  const forms = key.fromMe
    ? me
    : [key.participantAlt, key.participant, key.remoteJidAlt, key.remoteJid].filter(
        (jid): jid is string => Boolean(jid) && !jid?.endsWith('@g.us'),
      );
  return [...new Set(forms.map((jid) => jidNormalizedUser(jid)))];
}
