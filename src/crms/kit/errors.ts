import { CrmError } from '../types.js';

/**
 * How long a `Retry-After` header asks to wait, in ms: delay-seconds or an HTTP-date (RFC 9110
 * §10.2.3). Undefined when there is none or it is neither; never negative.
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date names a weekday and a zone; a bare number with a sign or a fraction is neither form.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Methods that change nothing at the CRM: a failed one leaves nothing in doubt. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What an HTTP error status means whatever the CRM: 429 and 5xx pass, 401/403 need a person, other
 * 4xx refuse this input. A server error on a write leaves its outcome unknown: the CRM may have done
 * the work before failing to answer.
 */
export function classifyStatus(
  status: number,
  method: string | undefined,
): { kind: CrmError['kind']; outcomeUnknown: boolean } {
  const write = method !== undefined && !SAFE_METHODS.has(method.toUpperCase());
  if (status >= 500) return { kind: 'retryable', outcomeUnknown: write };
  if (status === 429 || status === 408) return { kind: 'retryable', outcomeUnknown: false };
  if (status === 401 || status === 403) return { kind: 'park', outcomeUnknown: false };
  return { kind: 'rejected', outcomeUnknown: false };
}

/**
 * Failures that happen before a request leaves this machine: nothing reached the CRM. Anything else
 * (a reset, a socket closed mid-answer, a timeout) may have come after the CRM got the request.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

function causeCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A request that got no answer: TIMEOUT when our timeout cut it, NETWORK otherwise. Both pass; the
 * outcome is unknown unless the connection was never made.
 */
export function networkFailure(crmName: string, error: unknown): CrmError {
  const message = error instanceof Error ? error.message : String(error);
  const timeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const code = causeCode(error);
  return new CrmError({
    kind: 'retryable',
    code: timeout ? 'TIMEOUT' : 'NETWORK',
    message: timeout ? `${crmName} did not answer in time` : `${crmName} could not be reached: ${message}`,
    outcomeUnknown: timeout || code === undefined || !NOT_SENT_CODES.has(code),
  });
}

/**
 * The signal of one request: cut after `timeoutMs`, and whenever `outer` (a run that lost its lease)
 * aborts. Timeouts are per request, not per call: a retry gets a fresh one.
 */
export function requestSignal(timeoutMs: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return outer ? AbortSignal.any([timeout, outer]) : timeout;
}
