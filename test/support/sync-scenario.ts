/**
 * A workload for the sync's exactly-once tests: chat partners seeded in the target CRM as contacts and
 * leads (one left without a record), direct chats over two days, a group with two linked members,
 * edits, and a file, delivered in rounds. Every message text carries a unique token, so the check
 * can count each message on each record.
 */
import type { ExactlyOnceTarget } from './exactly-once-target.js';

const DAY = 86_400_000;

export interface Scenario {
  /** REST ingest batches, in the order to post them. */
  rounds: Record<string, unknown>[][];
  /** Record id → tokens that must be on it exactly once. */
  expected: Map<string, Set<string>>;
  contacts: Set<string>;
  /** Files (by name) that must be on the chat records of each record exactly once. */
  files: Map<string, string[]>;
}

export async function buildScenario(
  target: Pick<ExactlyOnceTarget, 'seedPerson'>,
  options: { people: number; now: number },
): Promise<Scenario> {
  const expected = new Map<string, Set<string>>();
  const contacts = new Set<string>();
  const files = new Map<string, string[]>();
  const people: { phone: string; recordId: string | undefined }[] = [];
  for (let n = 0; n < options.people; n++) {
    const local = String(10_000 + n).padStart(5, '0');
    const phone = `+1415555${local.slice(-4)}`;
    // Every fifth person has no record; the others alternate between contacts and leads.
    let recordId: string | undefined;
    if (n % 5 !== 4) {
      const isContact = n % 2 === 0;
      recordId = await target.seedPerson({
        type: isContact ? 'contact' : 'lead',
        firstName: `Person${n}`,
        lastName: 'Test',
        company: isContact ? undefined : 'Acme',
        phone: `(415) 555-${local.slice(-4)}`,
      });
      if (isContact) contacts.add(recordId);
      expected.set(recordId, new Set());
    }
    people.push({ phone, recordId });
  }

  let sequence = 0;
  const rounds: Record<string, unknown>[][] = [[], [], []];
  const message = (
    round: number,
    person: (typeof people)[number],
    at: number,
    extra: Record<string, unknown> = {},
  ) => {
    const token = `[m${String(++sequence).padStart(4, '0')}]`;
    const item = {
      id: `wamid.scenario-${sequence}`,
      chat: { type: 'direct', with: person.phone },
      timestamp: new Date(at).toISOString(),
      text: `${token} hello`,
      ...extra,
    };
    rounds[round]?.push(item);
    if (person.recordId) expected.get(person.recordId)?.add(token);
    return item;
  };
  for (const [n, person] of people.entries()) {
    message(0, person, options.now - DAY - n * 60_000);
    const edited = message(0, person, options.now - 3_600_000 - n * 1000, { fromMe: true });
    message(1, person, options.now - 1_800_000 - n * 1000);
    // The edit replaces the text: its token is the one that must land, the original's must not.
    const token = `[m${String(++sequence).padStart(4, '0')}]`;
    rounds[2]?.push({
      kind: 'edit',
      id: `wamid.scenario-edit-${n}`,
      target: edited.id,
      fromMe: true,
      text: `${token} edited`,
      timestamp: new Date(options.now - 600_000).toISOString(),
    });
    if (person.recordId) {
      const tokens = expected.get(person.recordId);
      tokens?.delete(String(edited.text).slice(0, 7));
      tokens?.add(token);
    }
  }
  // A group with the first two people (a contact and a lead) and one stranger: on both records.
  const [first, second] = people;
  const stranger = people.find((p) => p.recordId === undefined);
  for (let k = 0; k < 3; k++) {
    const token = `[m${String(++sequence).padStart(4, '0')}]`;
    rounds[k]?.push({
      id: `wamid.scenario-group-${k}`,
      chat: {
        type: 'group',
        id: '120363000000000042@g.us',
        title: 'Scenario group',
        participants: [first?.phone, second?.phone, stranger?.phone],
      },
      from: k === 2 ? stranger?.phone : first?.phone,
      timestamp: new Date(options.now - 900_000 + k * 1000).toISOString(),
      text: `${token} group`,
    });
    for (const person of [first, second]) if (person?.recordId) expected.get(person.recordId)?.add(token);
  }
  // A file in the first person's chat.
  if (first?.recordId) {
    rounds[1]?.push({
      id: 'wamid.scenario-file',
      chat: { type: 'direct', with: first.phone },
      fromMe: true,
      timestamp: new Date(options.now - 1_200_000).toISOString(),
      type: 'document',
      text: '[file] quote',
      media: {
        base64: Buffer.from('%PDF-1.4 scenario').toString('base64'),
        mimeType: 'application/pdf',
        fileName: 'quote.pdf',
      },
    });
    expected.get(first.recordId)?.add('[file] quote');
    files.set(first.recordId, ['quote.pdf']);
  }
  return { rounds, expected, contacts, files };
}
