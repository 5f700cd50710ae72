import { setTimeout as sleep } from 'node:timers/promises';

/** Holds a request for a sandbox's configured latency, so it answers no faster than a remote CRM would. */
export async function addLatency(latencyMs: number): Promise<void> {
  if (latencyMs > 0) await sleep(latencyMs);
}
