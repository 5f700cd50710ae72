import { classifyStatus, networkFailure, parseRetryAfter } from '../kit/errors.js';
import { CrmError } from '../types.js';

/**
 * Bitrix24's error answer: `{"error": "CODE", "error_description": "text"}` with the HTTP status, for a
 * whole call and per command in a batch's `result_error` (b24restdocs `_includes/system-errors.md`,
 * `settings/how-to-call-rest-api/batch.md`).
 */
export interface Bitrix24ErrorBody {
  error?: string;
  error_description?: string;
}

/**
 * Codes no retry fixes (`_includes/system-errors.md`, `settings/oauth/error-codes.md`): the webhook or
 * token is refused, a scope or right is missing, REST is off on the portal's plan, the portal is gone,
 * HTTPS is required, or a method the portal lacks (a module not installed).
 */
const PARK = new Set([
  'NO_AUTH_FOUND',
  'INVALID_CREDENTIALS',
  'expired_token',
  'invalid_token',
  'invalid_grant',
  'invalid_client',
  'insufficient_scope',
  'ACCESS_DENIED',
  'user_access_error',
  'PAYMENT_REQUIRED',
  'PORTAL_DELETED',
  'ERROR_METHOD_NOT_FOUND',
  'INVALID_REQUEST',
  'WRONG_AUTH_TYPE',
  'APPLICATION_NOT_FOUND',
]);

/** The portal's own trouble: it passes (`_includes/system-errors.md`). */
const RETRY = new Set(['INTERNAL_SERVER_ERROR', 'ERROR_UNEXPECTED_ANSWER', 'QUERY_LIMIT_EXCEEDED']);

/**
 * The bucket was full (503 QUERY_LIMIT_EXCEEDED): it drains 2 a second (`limits.md`, "Request
 * Intensity Limits"), so 2 s leave room for 4 requests; meanwhile wasync's own bucket is set full
 * (the transport reports the refusal), so that every process goes on at the drain rate, no faster.
 */
export const QUERY_LIMIT_WAIT_MS = 2_000;
/**
 * A method past its operating time (429 OPERATION_TIME_LIMIT) is blocked until the oldest of the ten
 * one-minute parts leaves the window (`limits.md`, "Resource Consumption Limits"): a minute at least.
 */
export const OPERATION_LIMIT_WAIT_MS = 60_000;
/** A portal its administrator or Bitrix24 blocked for overload (OVERLOAD_LIMIT) is not asked again for long. */
export const OVERLOAD_WAIT_MS = 60 * 60_000;

/**
 * What an error answer of the portal means for the sync. The bucket (503 QUERY_LIMIT_EXCEEDED), a
 * method's operating time (429 OPERATION_TIME_LIMIT) and the portal's own errors (5xx) pass; a
 * refused webhook, token, scope or plan parks the connection; the rest (NOT_FOUND, a refused field)
 * refuse this input, the answer kept for the caller that reads more of it.
 */
export function bitrix24Error(
  status: number,
  body: unknown,
  options: { write: boolean; retryAfterHeader?: string | null; method?: string } = { write: true },
): CrmError {
  const envelope = isErrorBody(body) ? body : undefined;
  // crm.timeline.comment.get answers its errors with an empty code (crm-timeline-comment-get.md).
  const code = envelope?.error || `HTTP_${status}`;
  const about = options.method ? ` (${options.method})` : '';
  const message = envelope?.error_description
    ? `${envelope.error_description}${about}`
    : `Bitrix24 answered ${status}${about}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`;
  const retryAfterMs = parseRetryAfter(options.retryAfterHeader);
  if (code === 'QUERY_LIMIT_EXCEEDED')
    return new CrmError({
      kind: 'retryable',
      code,
      message,
      retryAfterMs: retryAfterMs ?? QUERY_LIMIT_WAIT_MS,
    });
  if (code === 'OPERATION_TIME_LIMIT')
    return new CrmError({
      kind: 'retryable',
      code,
      message,
      retryAfterMs: retryAfterMs ?? OPERATION_LIMIT_WAIT_MS,
    });
  if (code === 'OVERLOAD_LIMIT')
    return new CrmError({ kind: 'retryable', code, message, retryAfterMs: retryAfterMs ?? OVERLOAD_WAIT_MS });
  if (PARK.has(code)) return new CrmError({ kind: 'park', code, message });
  const { kind, outcomeUnknown } = classifyStatus(status, options.write ? 'POST' : 'GET');
  if (kind === 'retryable' || RETRY.has(code))
    return new CrmError({ kind: 'retryable', code, message, retryAfterMs, outcomeUnknown });
  if (kind === 'park') return new CrmError({ kind: 'park', code, message });
  return new CrmError({ kind: 'rejected', code, message, vendorAnswer: body });
}

/**
 * One failed command of a batch: its `result_error` entry carries no status, so it is read by its code
 * alone (batch.md: "HTTP 200 even when sub-calls fail"). A refusal (NOT_FOUND) refuses the command's
 * input; the portal's trouble passes.
 */
export function commandError(body: unknown, method: string, write: boolean): CrmError {
  const code = isErrorBody(body) ? body.error : undefined;
  const status = code === undefined || RETRY.has(code) ? 500 : code === 'OPERATION_TIME_LIMIT' ? 429 : 400;
  return bitrix24Error(status, body, { write, method });
}

/** The object is gone: `NOT_FOUND` (timeline comments: crm-timeline-comment-update.md), `ERROR_NOT_FOUND` (Disk). */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof CrmError) || error.kind !== 'rejected') return false;
  if (/^(ERROR_)?NOT_FOUND$/.test(error.code)) return true;
  // crm.timeline.comment.get and crm.contact.get answer "Not found" with an empty code (their pages).
  return error.code === 'HTTP_400' && /^Not found\b/.test(error.message);
}

function isErrorBody(body: unknown): body is Bitrix24ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as Bitrix24ErrorBody).error === 'string';
}

export function networkError(error: unknown): CrmError {
  return networkFailure('Bitrix24', error);
}
