/**
 * A reference to a person as a source saw them: whatever keys the source had. At least one of phone,
 * lid and bsuid is set; the identity layer turns a PartyRef into a stored Identity, merging identities
 * when one party carries keys that were seen apart (a lid and a phone, say).
 */
export interface PartyRef {
  /** Canonical E.164 (see canonicalWhatsAppPhone). */
  phone?: string | undefined;
  /** The WhatsApp id as the source gave it (Cloud API wa_id), kept for display and replies. */
  waId?: string | undefined;
  /** Normalised `<digits>@lid`. */
  lid?: string | undefined;
  /** Business-scoped user id, `CC.<alnum>`. */
  bsuid?: string | undefined;
  parentBsuid?: string | undefined;
  username?: string | undefined;
  /** Push name or address-book name. */
  name?: string | undefined;
  /**
   * `name` is the one the account's owner saved for this person (their phone's address book): it wins
   * over a name the person gave themselves (push name, business name), now and later.
   */
  nameIsSaved?: boolean | undefined;
}

export type IdentityKey = 'phone' | 'lid' | 'bsuid';
export const IDENTITY_KEYS: readonly IdentityKey[] = ['phone', 'lid', 'bsuid'];

/** Stable string for a party's strongest key, used to group a batch's parties before the database. */
export function partyKey(party: PartyRef): string {
  if (party.phone) return `phone:${party.phone}`;
  if (party.lid) return `lid:${party.lid}`;
  if (party.bsuid) return `bsuid:${party.bsuid}`;
  throw new Error('A party needs a phone, lid or bsuid');
}
