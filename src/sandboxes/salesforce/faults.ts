import { seededRandom } from '../../core/seeded-random.js';
import type { SalesforceErrorBody } from './errors.js';
import type { FaultKind, ResolvedOptions } from './options.js';

/** Decides, request by request and reproducibly for a seed, whether and how an API request fails. */
export class FaultInjector {
  private random: () => number;

  constructor(private readonly options: ResolvedOptions['faults']) {
    this.random = seededRandom(options.seed);
  }

  draw(): FaultKind | undefined {
    if (this.options.rate <= 0) return undefined;
    if (this.random() >= this.options.rate) return undefined;
    const kinds = this.options.kinds;
    return kinds[Math.floor(this.random() * kinds.length)] ?? kinds[0];
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  reset(): void {
    this.random = seededRandom(this.options.seed);
  }
}

/** The answer an org gives for each HTTP fault; Salesforce sends no Retry-After header. */
export function faultResponse(kind: Exclude<FaultKind, 'timeout'>): {
  status: number;
  body: SalesforceErrorBody[];
} {
  switch (kind) {
    // More than 25 (5 in Developer Edition) requests of 20 seconds or longer at once: "the API returns
    // a REQUEST_LIMIT_EXCEEDED exception code" (Salesforce App Limits Cheatsheet, "API Request Limits
    // and Allocations"), worded as orgs word it. The REST API lists no 429 among its status codes;
    // unverified: that this refusal is a 403 like the daily limit's.
    case 'concurrency':
      return {
        status: 403,
        body: [
          {
            message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
            errorCode: 'REQUEST_LIMIT_EXCEEDED',
          },
        ],
      };
    case '500':
      return {
        status: 500,
        body: [
          {
            message:
              'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)',
            errorCode: 'UNKNOWN_EXCEPTION',
          },
        ],
      };
    case '503':
      return { status: 503, body: [{ message: 'Server Unavailable', errorCode: 'SERVER_UNAVAILABLE' }] };
  }
}
