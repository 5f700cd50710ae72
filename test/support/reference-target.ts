import { expect } from 'vitest';
import { referenceKind } from '../../src/crms/reference/kind.js';
import { crmRegistry } from '../../src/crms/registry.js';
import { buildReferenceSandbox } from '../../src/sandboxes/reference/index.js';
import type { ExactlyOnceTarget, TargetOptions } from './exactly-once-target.js';
import type { Scenario } from './sync-scenario.js';

/** The reference destination's kind name in the suites, in the test process and its workers alike. */
export const REFERENCE_KIND = 'reference';
const API_KEY = 'exactly-once-key';

/** Registers the reference kind (over HTTP only: no in-memory CRM) in this process; answers the undo. */
export function registerReferenceKind(): () => void {
  crmRegistry.register(referenceKind(undefined, { kind: REFERENCE_KIND }));
  return () => crmRegistry.unregister(REFERENCE_KIND);
}

interface HeldTranscript {
  id: string;
  key: string;
  record: { type: string; id: string };
  day: string;
  text: string;
}

interface HeldAttachment {
  id: string;
  key: string;
  transcriptId: string;
  record: { type: string; id: string };
  fileName: string;
}

/**
 * The reference CRM sandbox on a free port. A 429's Retry-After is 0 s: the engine still reads it,
 * and the suites do not wait out whole seconds between runs. A small per-call limit on transcripts
 * splits a run's writes into several calls, so faults and kills land among them as among Salesforce's.
 */
export async function startReferenceTarget(options: TargetOptions): Promise<ExactlyOnceTarget> {
  const sandbox = await buildReferenceSandbox({
    apiKey: API_KEY,
    retryAfterSeconds: 0,
    maxTranscriptsPerCall: 5,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  });
  const url = await sandbox.listen(0);
  const inspect = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${url}/__sandbox${path}`)).json()) as T;
  const counters = () => inspect<{ total: number; faults: Record<string, number> }>('/counters');
  return {
    workerKinds: { reference: [REFERENCE_KIND] },
    seedPerson: async (person) => {
      const response = await fetch(`${url}/__sandbox/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: person.type,
          name: `${person.firstName} ${person.lastName}`,
          phones: [person.phone],
          ...(person.company === undefined ? {} : { company: person.company }),
        }),
      });
      const body = (await response.json()) as { id?: string };
      if (!response.ok || !body.id) throw new Error(`seeding failed: ${JSON.stringify(body)}`);
      return body.id;
    },
    connectionInput: () => ({ kind: REFERENCE_KIND, name: 'Reference CRM', apiKey: API_KEY, baseUrl: url }),
    requests: async () => (await counters()).total,
    faults: async () => Object.values((await counters()).faults).reduce((a, b) => a + b, 0),
    expectExactlyOnce: async (scenario) => {
      const { transcripts } = await inspect<{ transcripts: HeldTranscript[] }>('/transcripts');
      const { attachments } = await inspect<{ attachments: HeldAttachment[] }>('/attachments');
      expectTranscripts(scenario, transcripts);
      expectFiles(scenario, transcripts, attachments);
    },
    close: () => sandbox.close(),
  };
}

/** One transcript per key, each on an expected record, and every token once on exactly its record. */
function expectTranscripts(scenario: Scenario, transcripts: readonly HeldTranscript[]): void {
  const keys = transcripts.map((transcript) => transcript.key);
  expect(new Set(keys).size, 'one transcript per key').toBe(keys.length);
  expect(new Set(transcripts.map((transcript) => transcript.id)).size, 'one id per transcript').toBe(
    transcripts.length,
  );
  for (const transcript of transcripts) {
    expect(
      scenario.expected.has(transcript.record.id),
      `transcript ${transcript.key} on a known record`,
    ).toBe(true);
  }
  const allTokens = new Set([...scenario.expected.values()].flatMap((set) => [...set]));
  for (const [recordId, tokens] of scenario.expected) {
    const text = transcripts
      .filter((transcript) => transcript.record.id === recordId)
      .map((transcript) => transcript.text)
      .join('\n');
    for (const token of tokens) expect(count(text, token), `${token} on ${recordId}`).toBe(1);
    for (const token of allTokens) {
      if (!tokens.has(token)) expect(count(text, token), `${token} not on ${recordId}`).toBe(0);
    }
  }
}

/** Each expected file once, on a transcript of its record; no other file in the CRM. */
function expectFiles(
  scenario: Scenario,
  transcripts: readonly HeldTranscript[],
  attachments: readonly HeldAttachment[],
): void {
  const fileCount = [...scenario.files.values()].reduce((sum, names) => sum + names.length, 0);
  expect(attachments.length, 'files in the CRM').toBe(fileCount);
  for (const [recordId] of scenario.expected) {
    const expectedFiles = scenario.files.get(recordId) ?? [];
    const onRecord = attachments.filter((attachment) => attachment.record.id === recordId);
    expect(onRecord.map((attachment) => attachment.fileName).sort(), `files on ${recordId}`).toEqual(
      [...expectedFiles].sort(),
    );
    for (const attachment of onRecord) {
      const transcript = transcripts.find((t) => t.id === attachment.transcriptId);
      expect(transcript?.record.id, `${attachment.fileName} beside a transcript of ${recordId}`).toBe(
        recordId,
      );
    }
  }
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
