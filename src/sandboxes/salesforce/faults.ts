import { seededRandom } from '../../core/seeded-random.js';
import type { SalesforceErrorBody } from './errors.js';
import type { FaultKind, ResolvedOptions } from './options.js';

/**
 * A failure a test asks for by name, for requests it can point at: the HTTP faults, `invalid-session`
 * (the org no longer takes the session: revoked, or its user deactivated) and `lost-answer` (the
 * request is served in full, then the connection is cut before the answer goes out).
 */
export type ScriptedFaultKind = Exclude<FaultKind, 'timeout'> | 'invalid-session' | 'lost-answer';

export const SCRIPTED_FAULT_KINDS: readonly ScriptedFaultKind[] = [
  'concurrency',
  '500',
  '503',
  'invalid-session',
  'lost-answer',
];

/** `times` API requests fail as `kind`, once `after` more have been served. */
export interface ScriptedFault {
  kind: ScriptedFaultKind;
  after: number;
  times: number;
}

/**
 * Decides, request by request and reproducibly for a seed, whether and how an API request fails:
 * first as a test scripted it, else as the random generator draws.
 */
export class FaultInjector {
  private random: () => number;
  private scripted: ScriptedFault[] = [];

  constructor(private readonly options: ResolvedOptions['faults']) {
    this.random = seededRandom(options.seed);
  }

  draw(): FaultKind | undefined {
    if (this.options.rate <= 0) return undefined;
    if (this.random() >= this.options.rate) return undefined;
    const kinds = this.options.kinds;
    return kinds[Math.floor(this.random() * kinds.length)] ?? kinds[0];
  }

  /** Queues a scripted fault behind any already queued. */
  script(fault: ScriptedFault): void {
    this.scripted.push({ ...fault });
  }

  /** The scripted fault this request meets, if one is due; counts the request against the queue. */
  takeScripted(): ScriptedFaultKind | undefined {
    const next = this.scripted[0];
    if (!next) return undefined;
    if (next.after > 0) {
      next.after -= 1;
      return undefined;
    }
    next.times -= 1;
    if (next.times <= 0) this.scripted.shift();
    return next.kind;
  }

  clearScripted(): void {
    this.scripted = [];
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  reset(): void {
    this.random = seededRandom(this.options.seed);
    this.scripted = [];
  }
}

/** The answer an org gives for each HTTP fault; Salesforce sends no Retry-After header. */
export function faultResponse(kind: Exclude<ScriptedFaultKind, 'lost-answer'>): {
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
    // "503: The server is unavailable to handle the request" (REST API Developer Guide, Status Codes
    // and Error Responses).
    case '503':
      return { status: 503, body: [{ message: 'Server Unavailable', errorCode: 'SERVER_UNAVAILABLE' }] };
    // "401: The session ID or OAuth token used has expired or is invalid. The response body contains
    // the message and errorCode" (same table); INVALID_SESSION_ID is that code (SOAP API Developer
    // Guide, Error Handling for Session Expiration). Worded as the guard words an expired session.
    case 'invalid-session':
      return {
        status: 401,
        body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
      };
  }
}
