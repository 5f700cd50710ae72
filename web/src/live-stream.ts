import { ApiError, streamEvents } from './api';
import type { LiveEvent } from './types';

const LIVE_TYPES: readonly string[] = ['messages', 'sync'] satisfies LiveEvent['type'][];

export interface FollowOptions {
  /** The wait before the first reconnection; it doubles while they fail, up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * Follows GET /api/v1/events through streamEvents (fetch), so the stream carries the bearer token
 * configureApi set, which an EventSource cannot send: each live event goes to `onEvent`. After a drop
 * or a failed attempt it connects again, as an EventSource would (3 s, then longer while it keeps
 * failing, up to a minute). Resolves once `signal` aborts; rejects with the ApiError when the server
 * refuses the token (401, 403), which no retry would change.
 */
export async function followLiveEvents(
  onEvent: (event: LiveEvent) => void,
  signal: AbortSignal,
  { retryMs = 3000, maxRetryMs = 60_000 }: FollowOptions = {},
): Promise<void> {
  let wait = retryMs;
  while (!signal.aborted) {
    const started = Date.now();
    try {
      await streamEvents(
        'GET',
        '/events',
        undefined,
        (type, data) => {
          if (!LIVE_TYPES.includes(type)) return;
          wait = retryMs;
          onEvent({ type, ...(data as object) } as LiveEvent);
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw error;
    }
    // A stream that stayed open a while was healthy: the next attempt waits the least again.
    if (Date.now() - started > maxRetryMs) wait = retryMs;
    await pause(wait, signal);
    wait = Math.min(wait * 2, maxRetryMs);
  }
}

/** Waits `ms`, or less if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
