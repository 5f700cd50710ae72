import type { GuardedFetch, GuardedRequestInit } from '../../net/guarded-fetch.js';
import { CrmError } from '../types.js';
import type { RateLimiter, RateSlot } from './rate-limiter.js';

/** How one HTTP exchange with a CRM ended: the answer's status class, or no answer. */
export type CrmCallOutcome = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'network_error' | 'cancelled';

/** Whose request it was. */
export interface CrmCaller {
  connectionId: string;
  /** The CRM kind: `salesforce`, `zoho`, `bitrix24`. */
  kind: string;
}

/**
 * Told of what a connection's requests do, for the process's metrics; the CRM layer knows nothing
 * of Prometheus. Called synchronously: an observer does no I/O of its own.
 */
export interface CrmObserver {
  /** An HTTP exchange with the CRM (a sign-in included) answered, or failed without an answer. */
  callEnded(caller: CrmCaller, outcome: CrmCallOutcome, seconds: number): void;
  /** A request got its slot in the connection's budget after waiting `seconds` (often 0). */
  slotTaken(caller: CrmCaller, seconds: number): void;
  /** A request was refused before it was sent: the CRM's allocation is spent (a retryable CrmError). */
  allocationRefused(caller: CrmCaller): void;
}

/** The CRM's client with each exchange told to the observer; it answers and fails as the client does. */
export function observedFetch(
  guarded: GuardedFetch,
  observer: CrmObserver,
  caller: CrmCaller,
  clock: () => number = performance.now.bind(performance),
): GuardedFetch {
  const observed = async (url: string | URL, init?: GuardedRequestInit): Promise<Response> => {
    const started = clock();
    const seconds = () => (clock() - started) / 1000;
    try {
      const response = await guarded(url, init);
      observer.callEnded(caller, statusClass(response.status), seconds());
      return response;
    } catch (error) {
      const cancelled = init?.signal?.aborted === true;
      observer.callEnded(caller, cancelled ? 'cancelled' : 'network_error', seconds());
      throw error;
    }
  };
  return Object.assign(observed, { allow: guarded.allow });
}

/** The connection's budget with each slot's wait and each refusal of a spent allocation told. */
export function observedLimiter(
  limiter: RateLimiter,
  observer: CrmObserver,
  caller: CrmCaller,
  clock: () => number = performance.now.bind(performance),
): RateLimiter {
  return {
    acquire: async (signal?: AbortSignal): Promise<RateSlot> => {
      const started = clock();
      try {
        const slot = await limiter.acquire(signal);
        observer.slotTaken(caller, (clock() - started) / 1000);
        return slot;
      } catch (error) {
        // A cut request (its run lost the lease) is no refusal.
        if (error instanceof CrmError) observer.allocationRefused(caller);
        throw error;
      }
    },
    reportUsage: (usage) => limiter.reportUsage(usage),
    reportSpent: (retryAfterMs) => limiter.reportSpent(retryAfterMs),
  };
}

function statusClass(status: number): CrmCallOutcome {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  if (status >= 200) return '2xx';
  return '1xx';
}
