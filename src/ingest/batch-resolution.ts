import type { Kysely } from 'kysely';
import type { Account } from '../core/model.js';
import type { PartyRef } from '../core/party.js';
import type { Store } from '../store/index.js';
import type { ChatKey } from '../store/repositories/chats.js';
import type { Database } from '../store/schema.js';
import { partyFingerprint, type ResolutionCache, type ResolvedEntries } from './resolution-cache.js';
import type { IngestChat, IngestEvent, IngestMessage } from './types.js';

/** A batch's people and chats, resolved to stored ids. */
export interface BatchResolution {
  identityOf(party: PartyRef): string;
  /** The chat of each message, in order. */
  chatIds: string[];
  /** Whether resolving merged identities or moved a phone (which makes every cached id suspect). */
  merged: boolean;
}

/**
 * Resolves every party of a batch to an identity and every message to its chat, and records who takes
 * part in which chat, inside the batch's transaction. The cache answers what it can; the rest goes to
 * the database, and what the database answered is noted in `resolved` for the cache once committed.
 */
export async function resolveBatch(options: {
  trx: Kysely<Database>;
  store: Store;
  account: Account;
  messages: readonly IngestMessage[];
  events: readonly IngestEvent[];
  cache: ResolutionCache | undefined;
  resolved: ResolvedEntries;
}): Promise<BatchResolution> {
  const { trx, store, account, messages, events, cache, resolved } = options;
  const parties = new PartyTable();
  for (const m of messages) {
    parties.add(...(m.chat.kind === 'direct' ? [m.chat.partner] : m.chat.participants));
    if (m.sender) parties.add(m.sender);
  }
  for (const e of events) if (e.sender) parties.add(e.sender);

  const list = parties.list();
  cache?.followIdentities(store.identities.revision);
  const cached = list.map((party) => cache?.identityOf(account.workspaceId, party));
  let identityIds = cached;
  const missing = list.filter((_, i) => identityIds[i] === undefined);
  let merged = false;
  if (missing.length > 0) {
    const answer = await store.identities.resolve(trx, account.workspaceId, missing);
    merged = answer.merged;
    if (merged) {
      // A merge may have deleted an identity the cache answered for: ask the database for all.
      identityIds = (await store.identities.resolve(trx, account.workspaceId, list)).ids;
    } else {
      let next = 0;
      identityIds = identityIds.map((id) => id ?? answer.ids[next++]);
    }
  }
  // Only what the cache did not know goes back into it (after a merge, everything does).
  list.forEach((party, i) => {
    if (merged || cached[i] === undefined)
      resolved.party(account.workspaceId, party, present(identityIds[i]));
  });
  const identityOf = (party: PartyRef) => present(identityIds[parties.indexOf(party)]);

  const chatIds = await resolveChats(
    options,
    messages.map((m) => toChatKey(m.chat, identityOf)),
  );
  const pairs = participantPairs(messages, chatIds, identityOf).filter(
    (p) => !cache?.hasParticipant(p.chatId, p.identityId),
  );
  await store.chats.addParticipants(trx, pairs);
  for (const p of pairs) resolved.participant(p.chatId, p.identityId);
  return { identityOf, chatIds, merged };
}

async function resolveChats(
  options: {
    trx: Kysely<Database>;
    store: Store;
    account: Account;
    cache: ResolutionCache | undefined;
    resolved: ResolvedEntries;
  },
  keys: ChatKey[],
): Promise<string[]> {
  const { trx, store, account, cache, resolved } = options;
  const chatIds = keys.map((key) => cache?.chatOf(account.id, key));
  const missing = keys.filter((_, i) => chatIds[i] === undefined);
  const found = missing.length > 0 ? await store.chats.resolve(trx, account.id, missing) : [];
  let next = 0;
  const ids = chatIds.map((id) => present(id ?? found[next++]));
  keys.forEach((key, i) => {
    if (chatIds[i] === undefined) resolved.chat(account.id, key, present(ids[i]));
  });
  return ids;
}

/** A batch's distinct parties: the same person named on 500 messages is resolved once. */
class PartyTable {
  private readonly positions = new Map<string, number>();
  private readonly parties: PartyRef[] = [];
  private readonly byObject = new Map<PartyRef, number>();

  add(...parties: PartyRef[]): void {
    for (const party of parties) {
      const key = partyFingerprint(party);
      let position = this.positions.get(key);
      if (position === undefined) {
        position = this.parties.push(party) - 1;
        this.positions.set(key, position);
      }
      this.byObject.set(party, position);
    }
  }

  indexOf(party: PartyRef): number {
    const position = this.byObject.get(party);
    if (position === undefined) throw new Error('party was not added to the batch');
    return position;
  }

  list(): PartyRef[] {
    return this.parties;
  }
}

function toChatKey(chat: IngestChat, identityOf: (p: PartyRef) => string): ChatKey {
  if (chat.kind === 'group') return { kind: 'group', groupKey: chat.groupKey, title: chat.title };
  return { kind: 'direct', partnerIdentityId: identityOf(chat.partner) };
}

/**
 * Everyone who appears in a chat is recorded as its participant: group members, and the sender of
 * every message (in a direct chat too). Identity merges rely on this to find a person's messages.
 */
function participantPairs(
  messages: readonly IngestMessage[],
  chatIds: string[],
  identityOf: (p: PartyRef) => string,
): { chatId: string; identityId: string }[] {
  const pairs = new Map<string, { chatId: string; identityId: string }>();
  messages.forEach((m, i) => {
    const chatId = present(chatIds[i]);
    const members = m.chat.kind === 'group' ? [...m.chat.participants] : [m.chat.partner];
    if (m.sender && !m.fromMe) members.push(m.sender);
    for (const party of members) {
      const identityId = identityOf(party);
      pairs.set(`${chatId}|${identityId}`, { chatId, identityId });
    }
  });
  return [...pairs.values()];
}

/** Resolvers answer one id per input, in order; a gap would be a bug, not bad input. */
export function present(id: string | undefined): string {
  if (id === undefined) throw new Error('an id was not resolved');
  return id;
}
