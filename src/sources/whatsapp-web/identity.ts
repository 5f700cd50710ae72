import type { Contact, GroupMetadata, LIDMapping } from 'baileys';
import type { Account } from '../../core/model.js';
import type { PartyRef } from '../../core/party.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { Store } from '../../store/index.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { partyOf, partyOfJids } from './map.js';

/**
 * Every `@lid` ↔ phone pair the library reports (history `lidPnMappings`, `lid-mapping.update`, the
 * pairs it stores) made known to the identity layer: a party with both keys merges the person seen
 * under each, and with them their chats, so no chat or CRM contact exists twice for one person.
 * Pairs that do not parse (a malformed JID) are left out, and so are pairs naming one of the
 * workspace's own numbers or lids: the library pairs a message's chat with the sender's alternate,
 * which on a message from the account is the account's own (WhiskeySockets/Baileys
 * src/Utils/decode-wa-message.ts `remoteJidAlt: senderAlt`, src/Socket/messages-recv.ts storing
 * `{ lid: alt, pn: primaryJid }`), and recording it would make every such chat partner the owner.
 * Returns how many pairs were recorded.
 */
export async function recordLidMappings(
  store: Store,
  workspaceId: string,
  mappings: readonly LIDMapping[],
): Promise<number> {
  const own = await OwnKeys.load(store, workspaceId);
  const parties = mappings
    .map((mapping) => partyOf(mapping.lid, mapping.pn))
    .filter((party): party is PartyRef => party?.lid !== undefined && party.phone !== undefined)
    .filter((party) => !own.involves(party));
  return recordParties(store, workspaceId, parties, own);
}

/**
 * Contacts as the library reports them (`contacts.upsert`/`update`, history contacts): the name the rep
 * saved (kept over any push name, then and later), else the person's push name, and every key known for them (id, lid, phone number), which
 * merges a person seen by lid and by phone. Updates that teach nothing (no name, a single key) are
 * left out, so a profile-picture change writes nothing.
 *
 * History makes a contact of every conversation, groups too, and fills in the account's own lid where
 * the conversation names no lid of its own (WhiskeySockets/Baileys src/Utils/history.ts:
 * `lid: chat.lidJid || chat.accountLid`): a group's, broadcast's or channel's entry names no person
 * and is left out (its lid is learned as the account's own), and the account's own number and lids
 * are taken out of every contact, so no contact becomes the owner.
 */
export async function recordContacts(
  store: Store,
  workspaceId: string,
  contacts: readonly Partial<Contact>[],
): Promise<number> {
  const own = await OwnKeys.load(store, workspaceId);
  const people: PartyRef[] = [];
  for (const contact of contacts) {
    const party = contactParty(contact);
    if (!party) continue;
    if (!isUserJid(contact.id)) own.learnLid(party.lid);
    else {
      own.learnFrom(party);
      people.push(party);
    }
  }
  const parties = people
    .map((party) => own.without(party))
    .filter((party): party is PartyRef => party !== undefined)
    .filter((party) => party.name !== undefined || (party.lid !== undefined && party.phone !== undefined));
  return recordParties(store, workspaceId, parties, own);
}

/** A group as stored: its subject and the people in it; undefined for what is not a group. */
export interface GroupRecord {
  groupKey: string;
  title: string | undefined;
  participants: PartyRef[];
}

export function groupRecord(group: Partial<GroupMetadata>): GroupRecord | undefined {
  const parsed = parseWhatsAppId(group.id ?? '');
  if (!parsed.ok || parsed.address.kind !== 'group') return undefined;
  return {
    groupKey: parsed.address.groupJid,
    title: group.subject || undefined,
    participants: (group.participants ?? [])
      .map((participant) => contactParty(participant))
      .filter((party): party is PartyRef => party !== undefined),
  };
}

/**
 * Group metadata (`groups.upsert`/`update`, `group-participants.update`, the groups fetched at
 * connect): the group's chat made or renamed, and each participant recorded as taking part in it, so
 * the sync writes the group to every participant linked to a CRM record. People who leave stay
 * recorded: what they said while in the group is still theirs.
 */
export async function recordGroups(
  store: Store,
  account: Account,
  given: readonly GroupRecord[],
): Promise<void> {
  let groups = given;
  if (groups.length === 0) return;
  // The account takes part in its groups under its own keys: recorded by one of them, never paired.
  const own = await OwnKeys.load(store, account.workspaceId);
  for (const party of groups.flatMap((group) => group.participants)) own.learnFrom(party);
  groups = groups.map((group) => ({
    ...group,
    participants: group.participants.map((party) => own.without(party) ?? oneKeyOf(party)),
  }));
  // An erased person is not recorded in any group again.
  const gone = await store.tombstones.tombstoned(
    account.workspaceId,
    groups.flatMap((group) => group.participants),
  );
  if (gone.size > 0)
    groups = groups.map((group) => ({
      ...group,
      participants: group.participants.filter((p) => !gone.has(p)),
    }));
  await writeTransaction(store.sql.db, store.sql.dialect, async (trx) => {
    await own.save(trx);
    const everyone = groups.flatMap((group) => group.participants);
    const { ids } = await store.identities.resolve(trx, account.workspaceId, everyone);
    const chatIds = await store.chats.resolve(
      trx,
      account.id,
      groups.map((group) => ({ kind: 'group' as const, groupKey: group.groupKey, title: group.title })),
    );
    let next = 0;
    const pairs = groups.flatMap((group, i) =>
      group.participants.map(() => ({ chatId: chatIds[i] as string, identityId: ids[next++] as string })),
    );
    await store.chats.addParticipants(trx, pairs);
  });
}

/**
 * A contact as a party. `name` is what the account's owner saved in their address book, `notify` the
 * push name the person set, `verifiedName` a business's (WhiskeySockets/Baileys src/Types/Contact.ts):
 * the saved one wins, and is marked so a push name arriving later leaves it alone.
 */
function contactParty(contact: Partial<Contact>): PartyRef | undefined {
  const name = contact.name || contact.notify || contact.verifiedName || undefined;
  const party = partyOfJids([contact.id, contact.lid, contact.phoneNumber], name);
  if (party && contact.name) party.nameIsSaved = true;
  return party;
}

async function recordParties(
  store: Store,
  workspaceId: string,
  given: PartyRef[],
  own: OwnKeys,
): Promise<number> {
  // An erased person's names and ids are not recorded again.
  const gone = await store.tombstones.tombstoned(workspaceId, given);
  const parties = gone.size === 0 ? given : given.filter((party) => !gone.has(party));
  if (parties.length === 0 && !own.learned) return 0;
  await writeTransaction(store.sql.db, store.sql.dialect, async (trx) => {
    await own.save(trx);
    if (parties.length > 0) await store.identities.resolve(trx, workspaceId, parties);
  });
  return parties.length;
}

/** The party by its phone alone, else its lid alone: pairs no keys. */
function oneKeyOf(party: PartyRef): PartyRef {
  return party.phone !== undefined ? { phone: party.phone } : { lid: party.lid };
}

/** A person's JID (phone or lid), as opposed to a group's, a broadcast list's or a channel's. */
function isUserJid(jid: string | null | undefined): boolean {
  const parsed = parseWhatsAppId(jid ?? '');
  return parsed.ok && (parsed.address.kind === 'phone' || parsed.address.kind === 'lid');
}

/**
 * The numbers of the workspace's own WhatsApp accounts and the lids learned to be theirs. They are
 * nobody's contact keys: a pair or contact naming one is about the account itself.
 */
class OwnKeys {
  private readonly fresh = new Set<string>();

  private constructor(
    private readonly workspaceId: string,
    private readonly store: Store,
    private readonly phones: ReadonlySet<string>,
    private readonly lids: Set<string>,
  ) {}

  static async load(store: Store, workspaceId: string): Promise<OwnKeys> {
    const accounts = await store.accounts.list(workspaceId);
    const lids = await store.identities.ownLids(workspaceId);
    return new OwnKeys(workspaceId, store, new Set(accounts.map((account) => account.phone)), lids);
  }

  /** A party holding an own number: its lid is that account's too. */
  learnFrom(party: PartyRef): void {
    if (party.phone !== undefined && this.phones.has(party.phone)) this.learnLid(party.lid);
  }

  learnLid(lid: string | undefined): void {
    if (lid === undefined || this.lids.has(lid)) return;
    this.lids.add(lid);
    this.fresh.add(lid);
  }

  get learned(): boolean {
    return this.fresh.size > 0;
  }

  involves(party: PartyRef): boolean {
    return (
      (party.phone !== undefined && this.phones.has(party.phone)) ||
      (party.lid !== undefined && this.lids.has(party.lid))
    );
  }

  /** The party without own keys; undefined when it held nothing else. */
  without(party: PartyRef): PartyRef | undefined {
    if (!this.involves(party)) return party;
    const rest: PartyRef = { ...party };
    if (rest.phone !== undefined && this.phones.has(rest.phone)) {
      rest.phone = undefined;
      rest.waId = undefined;
    }
    if (rest.lid !== undefined && this.lids.has(rest.lid)) rest.lid = undefined;
    return rest.phone !== undefined || rest.lid !== undefined ? rest : undefined;
  }

  /** Stores the lids learned since loading. */
  async save(db: Parameters<Store['identities']['recordOwnLids']>[0]): Promise<void> {
    if (this.fresh.size === 0) return;
    await this.store.identities.recordOwnLids(db, this.workspaceId, this.fresh);
    this.fresh.clear();
  }
}
