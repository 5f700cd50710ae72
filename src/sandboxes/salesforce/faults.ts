import type { ConnectionFault } from '../kit/faults.js';
import type { SalesforceErrorBody } from './errors.js';
import type { FaultKind } from './options.js';

/**
 * Every fault the sandbox answers: the kinds drawn at random (FaultKind), and those a test scripts
 * by name for requests it points at: `invalid-session` (the org no longer takes the session: revoked,
 * or its user deactivated) and `lost-answer` (served in full, then the connection is cut before the
 * answer goes out).
 */
export type SalesforceFault = FaultKind | 'invalid-session' | 'lost-answer';

/** What POST /__sandbox/faults takes. */
export const SCRIPTED_FAULT_KINDS: readonly SalesforceFault[] = [
  'concurrency',
  '500',
  '503',
  'invalid-session',
  'lost-answer',
];

/** The answer an org gives for each HTTP fault; Salesforce sends no Retry-After header. */
export function faultResponse(kind: Exclude<SalesforceFault, ConnectionFault>): {
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
