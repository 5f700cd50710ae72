import { LRUCache } from 'lru-cache';
import type { PartyRef } from '../core/party.js';
import type { ChatKey } from '../store/repositories/chats.js';

/**
 * What this process already knows to exist: which identity a party resolves to, which chat a chat
 * key names, which participations are recorded. The same customers and chats recur batch after batch,
 * and answering from memory saves several queries per batch.
 *
 * It is an optimisation that can only be stale, never wrong in a way that sticks: entries are added
 * after their transaction commits; an identity merge or a phone moving to another identity in this
 * process clears everything; and an id
 * that another process merged away makes the batch's insert fail its foreign key, upon which the
 * pipeline clears the cache and runs the batch again from the database.
 */
export class ResolutionCache {
  private readonly parties = new LRUCache<string, string>({ max: 100_000 });
  private readonly chats = new LRUCache<string, string>({ max: 100_000 });
  private readonly participants = new LRUCache<string, true>({ max: 200_000 });
  private identityRevision = 0;

  identityOf(workspaceId: string, party: PartyRef): string | undefined {
    return this.parties.get(partyCacheKey(workspaceId, party));
  }

  chatOf(accountId: string, key: ChatKey): string | undefined {
    return this.chats.get(chatCacheKey(accountId, key));
  }

  hasParticipant(chatId: string, identityId: string): boolean {
    return this.participants.has(`${chatId}|${identityId}`);
  }

  /**
   * Forgets everything when identities merged or a phone moved since the last call (the identity
   * store's revision changed): a number-change notice or a lid mapping recorded outside the ingest.
   */
  followIdentities(revision: number): void {
    if (revision === this.identityRevision) return;
    this.clear();
    this.identityRevision = revision;
  }

  /** Records what a committed transaction resolved. */
  remember(entries: ResolvedEntries): void {
    for (const [key, id] of entries.parties) this.parties.set(key, id);
    for (const [key, id] of entries.chats) this.chats.set(key, id);
    for (const key of entries.participants) this.participants.set(key, true);
  }

  clear(): void {
    this.parties.clear();
    this.chats.clear();
    this.participants.clear();
  }
}

/** Entries a transaction found or created, held back until it commits. */
export class ResolvedEntries {
  readonly parties = new Map<string, string>();
  readonly chats = new Map<string, string>();
  readonly participants = new Set<string>();

  party(workspaceId: string, party: PartyRef, identityId: string): void {
    this.parties.set(partyCacheKey(workspaceId, party), identityId);
  }

  chat(accountId: string, key: ChatKey, chatId: string): void {
    this.chats.set(chatCacheKey(accountId, key), chatId);
  }

  participant(chatId: string, identityId: string): void {
    this.participants.add(`${chatId}|${identityId}`);
  }

  /** Forgets what a rolled-back attempt noted, before the transaction is tried again. */
  reset(): this {
    this.parties.clear();
    this.chats.clear();
    this.participants.clear();
    return this;
  }
}

const fingerprints = new WeakMap<PartyRef, string>();
const SEPARATOR = '\u0000';

/**
 * Every field counts: a party with a new name or a new key must reach the database. Memoised per
 * object, as one party object is looked at several times per batch.
 */
export function partyFingerprint(party: PartyRef): string {
  let fingerprint = fingerprints.get(party);
  if (fingerprint === undefined) {
    const { phone, lid, bsuid, parentBsuid, waId, username, name } = party;
    fingerprint = [phone, lid, bsuid, parentBsuid, waId, username, name].join(SEPARATOR);
    fingerprints.set(party, fingerprint);
  }
  return fingerprint;
}

function partyCacheKey(workspaceId: string, party: PartyRef): string {
  return `${workspaceId}|${partyFingerprint(party)}`;
}

function chatCacheKey(accountId: string, key: ChatKey): string {
  return key.kind === 'direct'
    ? `${accountId}|d|${key.partnerIdentityId}`
    : `${accountId}|g|${key.groupKey}|${key.title ?? ''}`;
}
