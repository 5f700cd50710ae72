/**
 * Every error wasync reports to a client carries one of these codes. The codes are part of the public
 * API: clients branch on them, so a code is never renamed or reused (docs/errors.md lists them).
 */
export const ERROR_CODES = {
  bad_request: {
    status: 400,
    description: 'The request is malformed (not JSON, or a query parameter is wrong).',
  },
  validation_failed: {
    status: 400,
    description: 'The body or parameters do not match the documented schema.',
  },
  batch_invalid: {
    status: 400,
    description:
      'One or more items of an ingest batch are invalid; details.items names each one. Nothing was stored.',
  },
  invalid_cursor: { status: 400, description: 'The pagination cursor is not one this server issued.' },
  invalid_phone: { status: 400, description: 'A phone number could not be read as a valid number.' },
  unauthorized: { status: 401, description: 'No bearer token, or a token that is unknown or revoked.' },
  forbidden: { status: 403, description: 'The token is valid but may not do this.' },
  not_found: { status: 404, description: 'No such resource (or route).' },
  conflict: { status: 409, description: 'The resource already exists.' },
  payload_too_large: { status: 413, description: 'The body is larger than WASYNC_BODY_LIMIT.' },
  unsupported_media_type: { status: 415, description: 'The body is not application/json.' },
  rate_limited: { status: 429, description: 'Too many requests.' },
  crm_refused: {
    status: 502,
    description: 'The CRM refused the operation; details.crmCode is its own error code.',
  },
  internal_error: {
    status: 500,
    description: 'An unexpected failure; the log has the details under the request id.',
  },
  not_ready: { status: 503, description: 'The server is starting or its database is unreachable.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error meant for the client: a stable code, a readable message and optional structured details. */
export class WasyncError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'WasyncError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }
}

export function isWasyncError(error: unknown): error is WasyncError {
  return error instanceof WasyncError;
}
