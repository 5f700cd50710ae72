/**
 * What the exactly-once suites (sync-faults, sync-crash, sync-competing) need of a CRM: a sandbox
 * started with seeded faults and latency, people seeded in it, the connection to create, what a worker
 * process registers to reach it, its request and fault counters, and a check of what it holds per
 * record and day. One target per destination; the suites run over EXACTLY_ONCE_TARGETS.
 */

import { startBitrix24Target } from './bitrix24-target.js';
import { registerReferenceKind, startReferenceTarget } from './reference-target.js';
import { startSalesforceTarget } from './salesforce-target.js';
import type { Scenario } from './sync-scenario.js';
import type { WorkerInput } from './worker-config.js';
import { startZohoTarget } from './zoho-target.js';

export interface TargetOptions {
  /** Share of API requests that fail, seeded, with timeouts held for `timeoutMs`. */
  faults?: { rate: number; seed: number; timeoutMs: number };
  /** Added to every API request. */
  latencyMs?: number;
}

/** A chat partner as the scenario seeds them: a contact or a lead with a phone in a local spelling. */
export interface PersonSeed {
  type: 'contact' | 'lead';
  firstName: string;
  lastName: string;
  company: string | undefined;
  phone: string;
}

export interface ExactlyOnceTarget {
  /** Adds the person to the CRM as a person would; answers the record's id. */
  seedPerson(person: PersonSeed): Promise<string>;
  /** The body that connects wasync to this sandbox (POST /connections). */
  connectionInput(): Record<string, unknown>;
  /** Test-only kinds a worker process registers before it opens the store (see WorkerInput). */
  readonly workerKinds: NonNullable<WorkerInput['kinds']>;
  /** API requests the sandbox has received so far. */
  requests(): Promise<number>;
  /** Faults the sandbox has injected so far. */
  faults(): Promise<number>;
  /**
   * The requests a killed run's kill point is drawn from (1 to this, default 6): a CRM whose lookups
   * take more requests before the first write (Zoho searches number by number) gets a wider window,
   * so kills land among its writes too.
   */
  readonly killWindow?: number;
  /** Every expected message on its record exactly once, every file once, nothing else written. */
  expectExactlyOnce(scenario: Scenario): Promise<void>;
  close(): Promise<void>;
}

export interface ExactlyOnceTargetKind {
  name: string;
  start(options: TargetOptions): Promise<ExactlyOnceTarget>;
  /** Registers what this process needs to connect (nothing for a built-in kind); answers the undo. */
  register(): () => void;
}

export const EXACTLY_ONCE_TARGETS: ExactlyOnceTargetKind[] = [
  { name: 'Salesforce', start: startSalesforceTarget, register: () => () => {} },
  { name: 'Zoho CRM', start: startZohoTarget, register: () => () => {} },
  { name: 'Bitrix24', start: startBitrix24Target, register: () => () => {} },
  {
    name: 'reference CRM over HTTP',
    start: startReferenceTarget,
    register: registerReferenceKind,
  },
];
