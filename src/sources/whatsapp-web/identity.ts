import type { LIDMapping } from 'baileys';
import type { PartyRef } from '../../core/party.js';
import type { Store } from '../../store/index.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { partyOf } from './map.js';

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
  if (parties.length === 0) return 0;
  await writeTransaction(store.sql.db, store.sql.dialect, (trx) =>
    store.identities.resolve(trx, workspaceId, parties),
  );
  return parties.length;
}
