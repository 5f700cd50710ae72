import type { Contact, GroupMetadata, LIDMapping } from 'baileys';
import type { Account } from '../../core/model.js';
import type { PartyRef } from '../../core/party.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { Store } from '../../store/index.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { partyOf, partyOfJids } from './map.js';

/**
 * Every `@lid` ↔ phone pair the library reports (history `lidPnMappings`, `lid-mapping.update`) made
 * known to the identity layer: a party with both keys merges the person seen under each, and with
 * them their chats, so no chat or CRM contact exists twice for one person. Pairs that do not parse
 * (a malformed JID) are left out. Returns how many pairs were recorded.
 */
export async function recordLidMappings(
  store: Store,
  workspaceId: string,
  mappings: readonly LIDMapping[],
): Promise<number> {
  const parties = mappings
    .map((mapping) => partyOf(mapping.lid, mapping.pn))
    .filter((party): party is PartyRef => party?.lid !== undefined && party.phone !== undefined);
  return recordParties(store, workspaceId, parties);
}

/**
 * Contacts as the library reports them (`contacts.upsert`/`update`, history contacts): the name the rep
 * saved (kept over any push name, then and later), else the person's push name, and every key known for them (id, lid, phone number), which
 * merges a person seen by lid and by phone. Updates that teach nothing (no name, a single key) are
 * left out, so a profile-picture change writes nothing.
 */
export async function recordContacts(
  store: Store,
  workspaceId: string,
  contacts: readonly Partial<Contact>[],
): Promise<number> {
  const parties = contacts
    .map((contact) => contactParty(contact))
    .filter((party): party is PartyRef => party !== undefined)
    .filter((party) => party.name !== undefined || (party.lid !== undefined && party.phone !== undefined));
  return recordParties(store, workspaceId, parties);
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

async function recordParties(store: Store, workspaceId: string, given: PartyRef[]): Promise<number> {
  // An erased person's names and ids are not recorded again.
  const gone = await store.tombstones.tombstoned(workspaceId, given);
  const parties = gone.size === 0 ? given : given.filter((party) => !gone.has(party));
  if (parties.length === 0) return 0;
  await writeTransaction(store.sql.db, store.sql.dialect, (trx) =>
    store.identities.resolve(trx, workspaceId, parties),
  );
  return parties.length;
}
