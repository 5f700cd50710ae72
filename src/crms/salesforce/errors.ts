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
const DAILY_LIMIT_BACKOFF_MS = 30 * 60_000;

/** Maps an error answer of the data API to what the sync engine should do about it. */
export function salesforceError(status: number, body: unknown, retryAfterHeader: string | null): CrmError {
  const first = Array.isArray(body) ? (body as SalesforceErrorBody)[0] : undefined;
  const code = first?.errorCode ?? `HTTP_${status}`;
  const message = first?.message ?? `Salesforce answered ${status}`;
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  // 403 REQUEST_LIMIT_EXCEEDED is the org's daily pool; a 429 with the same code is the concurrency
  // limit of the moment, gone in seconds.
  if (code === 'REQUEST_LIMIT_EXCEEDED' && status === 403) {
    return new CrmError({
      kind: 'retryable',
      code,
      message,
      retryAfterMs: retryAfterMs ?? DAILY_LIMIT_BACKOFF_MS,
    });
  }
  if (status === 429 || status >= 500 || RETRY.has(code))
    return new CrmError({ kind: 'retryable', code, message, retryAfterMs });
  if (status === 401 || status === 403 || PARK.has(code))
    return new CrmError({ kind: 'park', code, message });
  return new CrmError({ kind: 'rejected', code, message, vendorAnswer: body });
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
  const message = error instanceof Error ? error.message : String(error);
  const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return new CrmError({
    kind: 'retryable',
    code: timeout ? 'TIMEOUT' : 'NETWORK',
    message: timeout ? 'Salesforce did not answer in time' : `Salesforce could not be reached: ${message}`,
  });
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
