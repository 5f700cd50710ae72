/**
 * What one sync run carries from step to step: the connection's destination and guard, the plan of
 * each chat, and the summary the steps add to. Shared by the engine and its file steps.
 */
import type { Account, Chat } from '../core/model.js';
import type { CallOptions, Destination } from '../crms/types.js';
import type { ExclusionMatcher } from '../store/repositories/exclusions.js';
import type { DayWrite } from './day-writes.js';
import type { RunSummary } from './queue.js';
import type { Target } from './resolve.js';

export interface TargetPlan {
  target: Target;
  days: DayWrite[];
}

export interface ChatPlan {
  chat: Chat;
  targets: TargetPlan[];
}

/**
 * A run's hold on its connection (the lease, in the service): `confirm` before each write, and
 * `signal` to cut what is in flight once the hold is gone.
 */
export interface RunGuard {
  readonly signal: AbortSignal;
  confirm(): Promise<void>;
  /** Throws once the run may no longer write; cheap, called before each CRM request. */
  beforeRequest(): void;
}

export interface RunContext {
  connectionId: string;
  guard: RunGuard | undefined;
  crmName: string;
  destination: Destination;
  startedAt: number;
  summary: RunSummary;
  accounts: Map<string, Account>;
  /** Numbers, groups and accounts never backed up. */
  exclusions: ExclusionMatcher;
  /** Earliest time a failed write is due again, for the scheduler. */
  nextRetryAt: number | undefined;
}

/** What each destination call carries of the run's guard. */
export function callOptions(context: RunContext): CallOptions {
  const { guard } = context;
  return guard ? { signal: guard.signal, beforeRequest: () => guard.beforeRequest() } : {};
}
