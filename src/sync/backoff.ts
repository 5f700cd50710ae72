/**
 * Exponential backoff with "full jitter" between half and all of the step, so processes that failed
 * together do not retry together. A CRM's Retry-After wins when it asks for longer.
 */
export function backoffMs(
  attempts: number,
  options: { baseMs: number; maxMs: number; retryAfterMs?: number | undefined; random?: () => number },
): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempts, 0), 20));
  const jittered = step / 2 + (options.random ?? Math.random)() * (step / 2);
  return Math.round(Math.max(jittered, options.retryAfterMs ?? 0));
}
