/**
 * Which CRM records a chat's transcripts go to: a direct chat to its partner's record, a group chat to
 * the record of every linked participant. Links are read from the store first; identities with a
 * number but no link are looked up in the CRM in one batch, and what is found becomes a link.
 */
import type { Chat, Identity } from '../core/model.js';
import type { CallOptions, CrmRecord, Destination, LookupContext, RecordType } from '../crms/types.js';
import type { RecordLink, RecordLinkRepository, Unlinked } from '../store/repositories/record-links.js';

export interface Target {
  record: { type: RecordType; id: string; name: string | undefined };
  /** Messages sent before this are not the record's (its backfill window). */
  backfillFrom: number;
  links: RecordLink[];
}

export type Resolution = { matched: true; targets: Target[] } | { matched: false; reason: string };

export interface ChatPeople {
  chat: Chat;
  /** The partner of a direct chat, every participant of a group. */
  people: Identity[];
}

export async function resolveTargets(options: {
  connectionId: string;
  crmName: string;
  chats: readonly ChatPeople[];
  links: RecordLinkRepository;
  destination: Destination;
  /** The workspace's default region, to read numbers the CRM stores without a country. */
  lookup: LookupContext;
  /** Backfill window start for links this lookup creates. */
  backfillFrom: number;
  /** Cuts the lookup when the run loses its lease. */
  call?: CallOptions | undefined;
}): Promise<{ resolutions: Map<string, Resolution>; linksFound: number }> {
  const { connectionId } = options;
  const identities = new Map<string, Identity>();
  for (const { people } of options.chats) for (const person of people) identities.set(person.id, person);
  const links = await options.links.forIdentities(connectionId, [...identities.keys()]);

  // Someone a person unlinked by hand is not matched by phone again until a person asks.
  const unlinked = await options.links.unlinkedOf(
    connectionId,
    [...identities.keys()].filter((id) => !links.has(id)),
  );
  const toLookUp = [...identities.values()].flatMap((identity) =>
    !links.has(identity.id) && !unlinked.has(identity.id) && identity.phone !== undefined
      ? [{ identity, phone: identity.phone }]
      : [],
  );
  let linksFound = 0;
  if (toLookUp.length > 0) {
    const found = await options.destination.findByPhones(
      toLookUp.map(({ identity, phone }) => ({ key: identity.id, phone })),
      options.lookup,
      options.call,
    );
    // A CRM (or mode) without leads links contacts only, whatever its lookup answered.
    const { leads } = options.destination.capabilities;
    for (const { identity } of toLookUp) {
      const record = preferred((found.get(identity.id) ?? []).filter((r) => leads || r.type === 'contact'));
      if (!record) continue;
      const link = await options.links.link({
        connectionId,
        identityId: identity.id,
        record: { type: record.type, id: record.id, name: record.name },
        linkedBy: 'lookup',
        backfillFrom: options.backfillFrom,
      });
      links.set(identity.id, link);
      linksFound++;
    }
  }

  const resolutions = new Map<string, Resolution>();
  for (const { chat, people } of options.chats) {
    const targets = new Map<string, Target>();
    for (const person of people) {
      const link = links.get(person.id);
      if (!link) continue;
      // History the user asked for (an import, "Send older history") goes whatever the link's window.
      const from = Math.min(
        link.backfillFrom.getTime(),
        chat.historyFrom?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      const target = targets.get(link.record.id);
      if (target) {
        target.backfillFrom = Math.min(target.backfillFrom, from);
        target.links.push(link);
      } else {
        targets.set(link.record.id, { record: link.record, backfillFrom: from, links: [link] });
      }
    }
    resolutions.set(
      chat.id,
      targets.size > 0
        ? { matched: true, targets: [...targets.values()] }
        : { matched: false, reason: unmatchedReason(chat, people, options.crmName, unlinked) },
    );
  }
  return { resolutions, linksFound };
}

/**
 * A contact over a lead; among several, the one the CRM created first, by its created time (ids sort
 * by age in Salesforce, not in every CRM), a record without one after those with, then by id so the
 * choice never depends on the order of an answer.
 */
export function preferred(records: readonly CrmRecord[]): CrmRecord | undefined {
  const age = (record: CrmRecord) => record.createdAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const sorted = [...records].sort(
    (a, b) =>
      (a.type === b.type ? 0 : a.type === 'contact' ? -1 : 1) ||
      age(a) - age(b) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return sorted[0];
}

function unmatchedReason(
  chat: Chat,
  people: readonly Identity[],
  crmName: string,
  unlinked: ReadonlyMap<string, Unlinked>,
): string {
  const byHand = chat.kind === 'direct' && people[0] ? unlinked.get(people[0].id) : undefined;
  if (byHand) {
    return `Unlinked by hand from ${byHand.record.name ?? `a ${byHand.record.type}`}; not matched by phone again until someone asks.`;
  }
  if (chat.kind === 'group') {
    return people.length === 0
      ? 'No participants of this group are known yet.'
      : `No participant of this group is a contact or lead in ${crmName}.`;
  }
  if (people[0]?.phone === undefined) {
    return 'WhatsApp has not shared this person’s phone number yet, so they cannot be looked up; link a record by hand.';
  }
  return `No contact or lead in ${crmName} has this number.`;
}
