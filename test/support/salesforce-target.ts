import { expect } from 'vitest';
import type { ExactlyOnceTarget, TargetOptions } from './exactly-once-target.js';
import { notesOn, type SandboxRow, startTestOrg, type TestOrg } from './salesforce-org.js';
import type { Scenario } from './sync-scenario.js';

/** A Salesforce sandbox org as an exactly-once target. */
export async function startSalesforceTarget(options: TargetOptions): Promise<ExactlyOnceTarget> {
  return salesforceTarget(
    await startTestOrg({
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    }),
  );
}

/** An org a test started itself, as an exactly-once target (closing the target closes the org). */
export function salesforceTarget(org: TestOrg): ExactlyOnceTarget {
  const counters = async () => (await org.counters()) as { total: number; faults: Record<string, number> };
  return {
    workerKinds: {},
    seedPerson: (person) =>
      org.seed(person.type === 'contact' ? 'Contact' : 'Lead', {
        FirstName: person.firstName,
        LastName: person.lastName,
        ...(person.company === undefined ? {} : { Company: person.company }),
        MobilePhone: person.phone,
      }),
    connectionInput: () => org.connectionInput(),
    requests: async () => Number((await counters()).total),
    faults: async () => Object.values((await counters()).faults).reduce((a, b) => a + b, 0),
    expectExactlyOnce: (scenario) => expectExactlyOnce(org, scenario),
    close: () => org.close(),
  };
}

/** Every expected message is on its record exactly once: in the chat records, and for contacts in the notes. */
async function expectExactlyOnce(org: TestOrg, scenario: Scenario): Promise<void> {
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
