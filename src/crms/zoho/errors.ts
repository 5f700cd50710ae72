import { classifyStatus, networkFailure, parseRetryAfter } from '../kit/errors.js';
import { CrmError } from '../types.js';
import { CREDITS_SPENT_BACKOFF_MS } from './limits.js';

/**
 * Zoho's error envelope: `{"code","details","message","status":"error"}` for a whole request (crm-oas
 * v8.0 common.json `API_Exception`), and the same shape per record inside `data[]` of a write.
 */
export interface ZohoErrorBody {
  code?: string;
  message?: string;
  status?: string;
  details?: Record<string, unknown>;
}

/** Codes no retry can fix: credentials, scopes, permissions, a module or feature the org lacks. */
const PARK = new Set([
  'INVALID_TOKEN',
  'AUTHENTICATION_FAILURE',
  'OAUTH_SCOPE_MISMATCH',
  'NO_PERMISSION',
  'FEATURE_NOT_SUPPORTED',
  'INVALID_MODULE',
  'NOT_SUPPORTED',
]);

/** Codes that pass by themselves: the concurrency limit, Zoho's own trouble. */
const RETRY = new Set(['TOO_MANY_REQUESTS', 'RATE_LIMIT_EXCEEDED', 'INTERNAL_ERROR', 'LIMIT_EXCEEDED']);

/**
 * What an error answer of the CRM API means for the sync. 429 (TOO_MANY_REQUESTS past the concurrency
 * limit; RATE_LIMIT_EXCEEDED in the v8 OAS's 429 examples) and 5xx pass; the credits of the last
 * 24 hours spent (LIMIT_EXCEEDED) pass after a long wait; a refused token or scope parks the
 * connection; INVALID_DATA, MANDATORY_NOT_FOUND, DUPLICATE_DATA, INVALID_QUERY refuse this input.
 */
export function zohoError(
  status: number,
  body: unknown,
  retryAfterHeader: string | null,
  method?: string,
): CrmError {
  const envelope = isErrorBody(body) ? body : undefined;
  const code = envelope?.code ?? `HTTP_${status}`;
  const message = envelope?.message
    ? `${envelope.message}${detailsOf(envelope)}`
    : `Zoho answered ${status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`;
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  if (code === 'LIMIT_EXCEEDED')
    return new CrmError({
      kind: 'retryable',
      code,
      message,
      retryAfterMs: retryAfterMs ?? CREDITS_SPENT_BACKOFF_MS,
    });
  const { kind, outcomeUnknown } = classifyStatus(status, method);
  if (kind === 'retryable' || RETRY.has(code))
    return new CrmError({ kind: 'retryable', code, message, retryAfterMs, outcomeUnknown });
  if (kind === 'park' || PARK.has(code)) return new CrmError({ kind: 'park', code, message });
  return new CrmError({ kind: 'rejected', code, message, vendorAnswer: body });
}

/** One refused record of a write (`data[i]` with `status: "error"`). */
export function recordError(item: ZohoErrorBody): CrmError {
  const code = item.code ?? 'UNKNOWN';
  const message = `${item.message ?? 'Zoho refused the record'}${detailsOf(item)}`;
  if (RETRY.has(code)) return new CrmError({ kind: 'retryable', code, message });
  if (PARK.has(code)) return new CrmError({ kind: 'park', code, message });
  return new CrmError({ kind: 'rejected', code, message, vendorAnswer: item });
}

/** The field a refusal names, and the limit it broke: `(Mobile: maximum_length 30)`. */
function detailsOf(body: ZohoErrorBody): string {
  const details = body.details;
  if (!details || typeof details !== 'object') return '';
  const field = details.api_name ?? details.param_name;
  const facts = Object.entries(details)
    .filter(([key, value]) => key !== 'api_name' && key !== 'param_name' && typeof value !== 'object')
    .map(([key, value]) => `${key} ${String(value)}`);
  if (typeof field !== 'string' && facts.length === 0) return '';
  return ` (${[typeof field === 'string' ? field : undefined, facts.join(', ') || undefined].filter(Boolean).join(': ')})`;
}

function isErrorBody(body: unknown): body is ZohoErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as ZohoErrorBody).code === 'string';
}

export function networkError(error: unknown): CrmError {
  return networkFailure('Zoho', error);
}
