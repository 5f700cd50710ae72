import { classifyStatus, networkFailure, parseRetryAfter } from '../kit/errors.js';
import { CrmError } from '../types.js';

/** Salesforce's error body: `[{"message","errorCode","fields"}]`. */
type SalesforceErrorBody = { message?: string; errorCode?: string }[];

/** Codes no retry can fix: a person must act (credentials, permissions, setup). */
const PARK = new Set([
  'INVALID_SESSION_ID',
  'API_DISABLED_FOR_ORG',
  'INSUFFICIENT_ACCESS',
  'INSUFFICIENT_ACCESS_OR_READONLY',
  'INVALID_TYPE',
  'NOT_FOUND_CUSTOM_OBJECT',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
]);

/** Codes that go away by themselves. */
const RETRY = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
]);

/** The daily pool refills over a rolling 24 hours; trying again within minutes only burns requests. */
export const DAILY_LIMIT_BACKOFF_MS = 30 * 60_000;

/**
 * Maps an error answer of the data API to what the sync engine should do about it. `limitInfo` is
 * the answer's `Sforce-Limit-Info` header (`api-usage=used/max`), when it has one; `method` the
 * request's, so that a server error on a write says its outcome is unknown.
 */
export function salesforceError(
  status: number,
  body: unknown,
  retryAfterHeader: string | null,
  limitInfo: string | null = null,
  method?: string,
): CrmError {
  const first = Array.isArray(body) ? (body as SalesforceErrorBody)[0] : undefined;
  const code = first?.errorCode ?? `HTTP_${status}`;
  const message = first?.message ?? `Salesforce answered ${status}`;
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    // The daily pool waits for its rolling window; the concurrency limit is gone once a long request
    // ends, so the engine's own short backoff fits it.
    const daily = requestLimitOf(message, limitInfo) === 'daily';
    return new CrmError({
      kind: 'retryable',
      code,
      message,
      retryAfterMs: retryAfterMs ?? (daily ? DAILY_LIMIT_BACKOFF_MS : undefined),
    });
  }
  const { kind, outcomeUnknown } = classifyStatus(status, method);
  if (kind === 'retryable' || RETRY.has(code))
    return new CrmError({ kind: 'retryable', code, message, retryAfterMs, outcomeUnknown });
  if (kind === 'park' || PARK.has(code)) return new CrmError({ kind: 'park', code, message });
  return new CrmError({ kind: 'rejected', code, message, vendorAnswer: body });
}

/**
 * Which limit a REQUEST_LIMIT_EXCEEDED is about. Both come as 403 REQUEST_LIMIT_EXCEEDED (Salesforce
 * App Limits Cheatsheet, "API Request Limits and Allocations": past either limit "the API returns a
 * REQUEST_LIMIT_EXCEEDED exception code"; the REST API's status-code table has no 429); the message
 * tells them apart: "TotalRequests Limit exceeded." for the rolling 24-hour allocation,
 * "ConcurrentRequests (Concurrent API Requests) Limit exceeded." for more than 25 (5 in Developer
 * Edition) requests running 20 seconds or longer (messages as orgs send them; unverified: the HTTP
 * status of the concurrency refusal, taken as 403 like the daily one). An unknown wording falls back
 * to the usage the answer reports: a spent allocation is the daily limit.
 */
function requestLimitOf(message: string, limitInfo: string | null): 'daily' | 'concurrency' {
  if (/ConcurrentRequests|Concurrent API Requests/i.test(message)) return 'concurrency';
  if (/TotalRequests/i.test(message)) return 'daily';
  const usage = limitInfo ? /api-usage=(\d+)\/(\d+)/.exec(limitInfo) : null;
  if (usage) return Number(usage[1]) >= Number(usage[2]) ? 'daily' : 'concurrency';
  return 'daily';
}

/** The token endpoint answers `{"error","error_description"}`. */
export function oauthError(status: number, body: unknown): CrmError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof record.error === 'string' ? record.error : `HTTP_${status}`;
  const description = typeof record.error_description === 'string' ? record.error_description : '';
  const message = `Salesforce refused to sign in (${code}${description ? `: ${description}` : ''})`;
  if (status === 429 || status >= 500) return new CrmError({ kind: 'retryable', code, message });
  return new CrmError({ kind: 'park', code, message });
}

export function networkError(error: unknown): CrmError {
  return networkFailure('Salesforce', error);
}
