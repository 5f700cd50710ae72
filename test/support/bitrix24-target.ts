import { expect } from 'vitest';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import { startTestBitrix24, type TestBitrix24 } from './bitrix24-portal.js';
import type { ExactlyOnceTarget, TargetOptions } from './exactly-once-target.js';
import type { Scenario } from './sync-scenario.js';

/**
 * A Bitrix24 sandbox as an exactly-once target, connected through its demo webhook (the way most
 * portals are connected). Injected faults are the portal's 503 and 500, timeouts and lost answers;
 * refused tokens are proven in the conformance suite (an OAuth connection), a webhook has none.
 */
export async function startBitrix24Target(options: TargetOptions): Promise<ExactlyOnceTarget> {
  const b24 = await startTestBitrix24({
    ...(options.faults
      ? { faults: { ...options.faults, kinds: ['503', '500', 'timeout', 'lost-answer'] } }
      : {}),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  });
  // Contacts and leads are numbered apart on a portal, so the first contact and the first lead are
  // both 1; the scenario keys its records by id alone, so leads are numbered from 1001 here.
  for (let n = 0; n < 1000; n++) b24.portal.nextId('lead');
  return {
    workerKinds: {},
    // A run reads the CRM mode, looks the numbers up in a batch and writes its file-less days in
    // another (a day with a file in a request of its own): three or four requests a run of the
    // scenario, so kills are drawn among the first four, where the writes are.
    killWindow: 4,
    seedPerson: async (person) => {
      const seed = {
        name: person.firstName,
        lastName: person.lastName,
        phones: [{ value: person.phone, valueType: 'MOBILE' }],
      };
      const entity =
        person.type === 'contact'
          ? b24.portal.seedContact(seed)
          : b24.portal.seedLead({ ...seed, ...(person.company ? { title: person.company } : {}) });
      return String(entity.id);
    },
    connectionInput: () => b24.connectionInput(),
    requests: async () => Number((await b24.counters()).total),
    faults: async () =>
      Object.values((await b24.counters()).faults as Record<string, number>).reduce((a, b) => a + b, 0),
    expectExactlyOnce: (scenario) => expectExactlyOnce(b24, scenario),
    close: () => b24.close(),
  };
}

/**
 * Every expected message once on its record, in one comment per day (by marker); every file once on
 * the record's comments; no comment anywhere else.
 */
async function expectExactlyOnce(b24: TestBitrix24, scenario: Scenario): Promise<void> {
  const allTokens = new Set([...scenario.expected.values()].flatMap((set) => [...set]));
  const commented = [...b24.portal.comments.values()];
  for (const comment of commented)
    expect(
      scenario.expected.has(String(comment.entityId)),
      `comment ${comment.id} on a known record (${comment.entityType} ${comment.entityId})`,
    ).toBe(true);
  let fileCount = 0;
  for (const [recordId, tokens] of scenario.expected) {
    const entityType = commented.find((comment) => String(comment.entityId) === recordId)?.entityType;
    const own = entityType === undefined ? [] : b24.portal.inspectComments(entityType, Number(recordId));
    const markers = own.map((comment) => markerIn(comment.comment) ?? `no marker: ${comment.id}`);
    expect(new Set(markers).size, `one comment per day on ${recordId}`).toBe(markers.length);
    const text = own.map((comment) => comment.comment).join('\n');
    for (const token of tokens) expect(count(text, token), `${token} on ${recordId}`).toBe(1);
    for (const token of allTokens)
      if (!tokens.has(token)) expect(count(text, token), `${token} not on ${recordId}`).toBe(0);
    const files = own.flatMap((comment) => comment.files.map((file) => file.name));
    fileCount += files.length;
    expect(files.sort(), `files on ${recordId}`).toEqual([...(scenario.files.get(recordId) ?? [])].sort());
  }
  const expectedFiles = [...scenario.files.values()].reduce((sum, names) => sum + names.length, 0);
  expect(fileCount, 'files on the portal’s comments').toBe(expectedFiles);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
