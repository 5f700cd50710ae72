import type { Services } from '../services.js';

/** One thing a process needs before it takes work: resolves when it is there, throws why not. */
export interface ReadinessCheck {
  /** Its name in `/readyz`'s answer: `database`, `redis`, `queue`. */
  name: string;
  check(): Promise<void>;
}

/** What `/readyz` found: each check's `ok` or why it failed. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** How long a check may take before it counts as failed: a probe never hangs on a stuck service. */
export const READINESS_TIMEOUT_MS = 2_000;

/**
 * The checks of every process: the database, and in scale mode Redis (a PING on the bus's
 * connection). A role adds its own (a worker: its queue) to these.
 */
export function readinessChecks(services: Pick<Services, 'store' | 'bus' | 'queue'>): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [{ name: 'database', check: () => services.store.sql.ping() }];
  const { bus, queue } = services;
  const ping = bus.ping?.bind(bus);
  if (ping) checks.push({ name: 'redis', check: ping });
  // The queue on its own connection (BullMQ's): jobs can be queued and taken.
  if (queue.kind === 'bullmq') checks.push({ name: 'queue', check: () => queue.ping() });
  return checks;
}

/** Runs the checks side by side, each cut off after `timeoutMs`. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs: number = READINESS_TIMEOUT_MS,
): Promise<Readiness> {
  const outcomes = await Promise.all(
    checks.map(async ({ name, check }) => [name, await outcomeOf(check, timeoutMs)] as const),
  );
  return {
    ready: outcomes.every(([, outcome]) => outcome === 'ok'),
    checks: Object.fromEntries(outcomes),
  };
}

async function outcomeOf(check: () => Promise<void>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs / 1000} s`), timeoutMs);
  });
  try {
    return await Promise.race([
      check().then(
        () => 'ok',
        (error: unknown) => (error instanceof Error ? error.message : String(error)) || 'failed',
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
