import { expect } from 'vitest';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import type { ExactlyOnceTarget, TargetOptions } from './exactly-once-target.js';
import type { Scenario } from './sync-scenario.js';
import { startTestZoho, type TestZoho, type ZohoSandboxRow } from './zoho-org.js';

/**
 * A Zoho sandbox as an exactly-once target. Every contact gets a deal, so the day's note on the deal
 * is held to exactly-once too. Injected faults are rate limits, server errors, timeouts and lost
 * answers; not refused tokens: each costs a refresh, of which Zoho allows ten per refresh token in
 * ten minutes, and a share of 30% refused tokens would spend that window in seconds (no org refuses
 * live tokens so), leaving the suite waiting; refused tokens are proven in the conformance suite and
 * the token-budget test.
 */
export async function startZohoTarget(options: TargetOptions): Promise<ExactlyOnceTarget> {
  const zoho = await startTestZoho({
    ...(options.faults
      ? { faults: { ...options.faults, kinds: ['429', '500', 'timeout', 'lost-answer'] } }
      : {}),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  });
  const deals = new Map<string, string>();
  return {
    workerKinds: {},
    // A run reads the org, queries both modules, searches each number no exact spelling found, and
    // reads each contact's deals before its first write: some twenty requests for the scenario.
    killWindow: 24,
    seedPerson: async (person) => {
      const id = await zoho.seed(person.type === 'contact' ? 'Contacts' : 'Leads', {
        First_Name: person.firstName,
        Last_Name: person.lastName,
        ...(person.company === undefined ? {} : { Company: person.company }),
        Mobile: person.phone,
      });
      if (person.type === 'contact')
        deals.set(
          id,
          await zoho.seed('Deals', {
            Deal_Name: `${person.lastName} deal`,
            Stage: 'Qualification',
            Contact_Name: id,
          }),
        );
      return id;
    },
    connectionInput: () => zoho.connectionInput(),
    requests: async () => Number((await zoho.counters()).total),
    faults: async () =>
      Object.values((await zoho.counters()).faults as Record<string, number>).reduce((a, b) => a + b, 0),
    expectExactlyOnce: (scenario) => expectExactlyOnce(zoho, scenario, deals),
    close: () => zoho.close(),
  };
}

/**
 * Every expected message once on its record, in one note per day (by marker), and the same notes on
 * the contact's deal; every file once in the record's Attachments; no note or file anywhere else.
 */
async function expectExactlyOnce(
  zoho: TestZoho,
  scenario: Scenario,
  deals: ReadonlyMap<string, string>,
): Promise<void> {
  const notes = await zoho.notes();
  const attachments = await zoho.attachments();
  const parentOf = (row: ZohoSandboxRow) => String(row.Parent_Id?.id ?? row.parent?.id);
  const markers = (rows: ZohoSandboxRow[]) =>
    rows.map((note) => markerIn(String(note.Note_Content)) ?? `no marker: ${note.id}`);
  const known = new Set([...scenario.expected.keys(), ...deals.values()]);
  for (const note of notes) expect(known.has(parentOf(note)), `note ${note.id} on a known record`).toBe(true);
  const allTokens = new Set([...scenario.expected.values()].flatMap((set) => [...set]));
  for (const [recordId, tokens] of scenario.expected) {
    const own = notes.filter((note) => parentOf(note) === recordId);
    const ownMarkers = markers(own);
    expect(new Set(ownMarkers).size, `one note per day on ${recordId}`).toBe(ownMarkers.length);
    const text = own.map((note) => String(note.Note_Content)).join('\n');
    for (const token of tokens) expect(count(text, token), `${token} on ${recordId}`).toBe(1);
    for (const token of allTokens)
      if (!tokens.has(token)) expect(count(text, token), `${token} not on ${recordId}`).toBe(0);
    const deal = deals.get(recordId);
    if (deal !== undefined) {
      const onDeal = notes.filter((note) => parentOf(note) === deal);
      expect(markers(onDeal).sort(), `the days of ${recordId} on its deal, once each`).toEqual(
        [...ownMarkers].sort(),
      );
      for (const note of onDeal) {
        const same = own.find(
          (candidate) => markerIn(String(candidate.Note_Content)) === markerIn(String(note.Note_Content)),
        );
        expect(note.Note_Content, `the deal's note of ${recordId} as the contact's`).toBe(same?.Note_Content);
      }
    }
    const files = attachments
      .filter((file) => parentOf(file) === recordId)
      .map((file) => String(file.File_Name));
    expect(files.sort(), `files on ${recordId}`).toEqual([...(scenario.files.get(recordId) ?? [])].sort());
  }
  const fileCount = [...scenario.files.values()].reduce((sum, names) => sum + names.length, 0);
  expect(attachments.length, 'files in the org').toBe(fileCount);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
