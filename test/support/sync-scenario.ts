/**
 * A workload for the sync's exactly-once tests: chat partners seeded in the sandbox as contacts and
 * leads (one left without a record), direct chats over two days, a group with two linked members,
 * edits, and a file, delivered in rounds. Every message text carries a unique token, so the check
 * can count each message on each record.
 */
import { expect } from 'vitest';
import { notesOn, type SandboxRow, type TestOrg } from './salesforce-org.js';

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
  org: TestOrg,
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
      recordId = await org.seed(isContact ? 'Contact' : 'Lead', {
        FirstName: `Person${n}`,
        LastName: 'Test',
        ...(isContact ? {} : { Company: 'Acme' }),
        MobilePhone: `(415) 555-${local.slice(-4)}`,
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

/** Every expected message is on its record exactly once: in the chat records, and for contacts in the notes. */
export async function expectExactlyOnce(org: TestOrg, scenario: Scenario): Promise<void> {
  const chatRecords = await org.records('WhatsApp_Chat__c');
  const keys = chatRecords.map((row) => row.Chat_Key__c);
  expect(new Set(keys).size, 'one chat record per key').toBe(keys.length);
  const allTokens = new Set([...scenario.expected.values()].flatMap((set) => [...set]));
  for (const [recordId, tokens] of scenario.expected) {
    const rows = chatRecords.filter((row) => row.Contact__c === recordId || row.Lead__c === recordId);
    const transcripts = rows.map((row) => String(row.Transcript__c)).join('\n');
    for (const token of tokens) expect(count(transcripts, token), `${token} on ${recordId}`).toBe(1);
    for (const token of allTokens) {
      if (!tokens.has(token)) expect(count(transcripts, token), `${token} not on ${recordId}`).toBe(0);
    }
    if (scenario.contacts.has(recordId)) {
      const notes = await notesOn(org, recordId);
      expect(notes, `one note per chat record of ${recordId}`).toHaveLength(rows.length);
      const content = notes.map((note) => String(note.Content)).join('\n');
      for (const token of tokens)
        expect(count(content, escapeHtml(token)), `${token} in notes of ${recordId}`).toBe(1);
    }
    const expectedFiles = scenario.files.get(recordId) ?? [];
    const onRecords = await filesOn(org, rows);
    expect(onRecords.sort(), `files on ${recordId}`).toEqual([...expectedFiles].sort());
  }
  await expectEveryDocumentAccountedFor(org, scenario, chatRecords);
}

/**
 * Counts the way a person auditing the org would: every ContentNote, ContentVersion and ContentDocument
 * there is, not only those linked to a record. A note left behind by an interrupted attempt (linked to
 * nobody but its owner, or to the chat record but not the contact) is one too many.
 */
async function expectEveryDocumentAccountedFor(
  org: TestOrg,
  scenario: Scenario,
  chatRecords: readonly SandboxRow[],
): Promise<void> {
  const contactChats = chatRecords.filter((row) => scenario.contacts.has(String(row.Contact__c)));
  const fileCount = [...scenario.files.values()].reduce((sum, names) => sum + names.length, 0);
  const notes = await org.records('ContentNote');
  expect(notes.length, 'ContentNotes in the org: one per chat-day on a contact').toBe(contactChats.length);
  // Notes are documents too (one version each, as wasync updates them in place); files are the rest.
  expect((await org.records('ContentDocument')).length, 'ContentDocuments in the org').toBe(
    contactChats.length + fileCount,
  );
  expect((await org.records('ContentVersion')).length, 'ContentVersions in the org').toBe(
    contactChats.length + fileCount,
  );
  // Each note on exactly its chat record and that record's contact, besides its owner.
  const links = (await org.records('ContentDocumentLink')).filter(
    (link) => !String(link.LinkedEntityId).startsWith('005'),
  );
  const linkedTo = (noteId: string) =>
    links
      .filter((link) => link.ContentDocumentId === noteId)
      .map((link) => String(link.LinkedEntityId))
      .sort();
  const expectedLinks = new Map(
    contactChats.map((chat) => [chat.Id, [chat.Id, String(chat.Contact__c)].sort()]),
  );
  const actualLinks = new Map(
    notes.map((note) => {
      const targets = linkedTo(note.Id);
      return [targets.find((id) => expectedLinks.has(id)) ?? `unlinked ${note.Title}`, targets];
    }),
  );
  expect(actualLinks).toEqual(expectedLinks);
}

async function filesOn(org: TestOrg, chatRecords: readonly SandboxRow[]): Promise<string[]> {
  const ids = new Set(chatRecords.map((row) => row.Id));
  const versions = await org.records('ContentVersion');
  return versions
    .filter((version) => ids.has(String(version.FirstPublishLocationId)) && version.FileType !== 'SNOTE')
    .map((version) => String(version.Title));
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
