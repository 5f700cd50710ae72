import type { ConnectionFault } from '../kit/faults.js';
import type { SalesforceErrorBody } from './errors.js';
import type { FaultKind } from './options.js';

/** The answer an org gives for each HTTP fault; Salesforce sends no Retry-After header. */
export function faultResponse(kind: Exclude<FaultKind, ConnectionFault>): {
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
