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
  url_forbidden: {
    status: 400,
    description:
      "A URL wasync would fetch is not allowed: not https, credentials in it, a local or private address, or a vendor base URL not on the vendor's hosts (and not allow-listed).",
  },
  export_invalid: {
    status: 400,
    description:
      'The uploaded file is not a WhatsApp chat export (no chat text in the zip, no message line, not a zip or text). Nothing was stored.',
  },
  export_ambiguous: {
    status: 400,
    description:
      'The chat export cannot be read without a hint: details.option names it (dateOrder, chatWith or me). Nothing was stored.',
  },
  export_binary: {
    status: 400,
    description: 'The chat text holds binary data (control bytes), so it is no export. Nothing was stored.',
  },
  export_line_too_long: {
    status: 400,
    description:
      'The chat text has a line longer than any WhatsApp writes (details.limitBytes); it is no export. Nothing was stored.',
  },
  export_not_utf8: {
    status: 400,
    description:
      'The chat text is not valid UTF-8; details.offset is the first bad byte. Nothing was stored.',
  },
  export_unsafe_entry: {
    status: 400,
    description:
      'The zip holds an entry that could escape its folder: an absolute or `../` path, or a symbolic link. Nothing was stored.',
  },
  export_too_large: {
    status: 413,
    description:
      'The export passes a limit (details.limit: totalBytes, entries, ratio, mediaFiles or mediaBytes), as a zip bomb would, or an upload is larger than WASYNC_IMPORT_MAX_BYTES. Nothing was stored.',
  },
  storage_quota_exceeded: {
    status: 413,
    description:
      "The import's media would take the workspace past its storage quota (WASYNC_STORAGE_QUOTA); details give usedBytes, quotaBytes and importBytes. Nothing was stored.",
  },
  unauthorized: {
    status: 401,
    description: 'No bearer token or session cookie, or a token that is unknown or revoked.',
  },
  invalid_credentials: {
    status: 401,
    description:
      'Sign-in refused: no user with that e-mail, or a wrong password (the answer does not say which).',
  },
  session_expired: {
    status: 401,
    description:
      'The session cookie belongs to a session that ended (signed out, expired or the user removed).',
  },
  forbidden: { status: 403, description: 'The token or user is valid but may not do this.' },
  csrf_failed: {
    status: 403,
    description:
      'A change made with a session cookie lacked the X-CSRF-Token header of that session (GET /api/v1/session gives it).',
  },
  extension_capture_off: {
    status: 403,
    description:
      "The browser extension's capture (a request with X-Wasync-Client: extension) is off in this workspace's settings (extensionCapture); an admin turns it on. Nothing was stored.",
  },
  oauth_session_required: {
    status: 403,
    description:
      'Signing in at a CRM is started from a signed-in browser (the session cookie), not with an API token: the CRM sends that browser back.',
  },
  session_required: {
    status: 403,
    description:
      'The route acts for the signed-in person (the session cookie and X-CSRF-Token); an API token may not use it, so a token cannot make more tokens.',
  },
  invite_invalid: {
    status: 404,
    description: 'The invite link is unknown, used, revoked or expired.',
  },
  not_found: { status: 404, description: 'No such resource (or route).' },
  unknown_phone_number: {
    status: 404,
    description:
      'A Cloud API webhook names a phone_number_id no account has (details.phoneNumberIds); its changes were not stored, so Meta delivers them again.',
  },
  conflict: { status: 409, description: 'The resource already exists.' },
  person_erased: {
    status: 409,
    description:
      'The person was erased (a tombstone holds their number or WhatsApp id): no chat with them is stored until an admin lifts the tombstone.',
  },
  phone_not_shared: {
    status: 409,
    description:
      "The chat's person is known only by a WhatsApp linked id (lid), without a phone number; what needs the number (excluding it from backups) cannot be done yet.",
  },
  extension_capture_unsupported: {
    status: 409,
    description:
      'The browser extension captures only into linked-device and REST numbers: a Cloud API or chat-export number keeps other message ids, so the same messages would be stored twice (details.sourceKind). Nothing was stored.',
  },
  oauth_app_missing: {
    status: 409,
    description:
      'No OAuth app (client id and secret) is set for this CRM kind; an admin sets it with PUT /api/v1/oauth/{kind}/app.',
  },
  public_url_required: {
    status: 409,
    description:
      'An invite link cannot be made: WASYNC_PUBLIC_URL is unset and the request did not come to this machine by a loopback address.',
  },
  payload_too_large: { status: 413, description: 'The body is larger than WASYNC_BODY_LIMIT.' },
  unsupported_media_type: { status: 415, description: 'The body is not application/json.' },
  rate_limited: {
    status: 429,
    description:
      'Too many requests; Retry-After (and details.retryAfterSeconds) says when to try again. Sign-in answers it after too many failures for one account or from one address.',
  },
  not_coexistence: {
    status: 409,
    description:
      'The Cloud API account is not marked as shared with the WhatsApp Business app (cloud.coexistence), so it has no history to ask for.',
  },
  coexistence_window_closed: {
    status: 409,
    description:
      'Meta takes the history and contacts sync request only within 24 hours of onboarding; details.windowClosedAt says when that was. Nothing was asked.',
  },
  coexistence_sync_refused: {
    status: 502,
    description:
      "The Graph API refused a coexistence sync request; details.refused lists each sync type with Meta's error code and message.",
  },
  crm_duplicates: {
    status: 409,
    description:
      "The CRM's duplicate rules refuse the new record; details.duplicates lists the records it matched, to link one instead.",
  },
  crm_refused: {
    status: 502,
    description: 'The CRM refused the operation; details.crmCode is its own error code.',
  },
  crm_unsupported: {
    status: 409,
    description:
      "The connection's CRM has no such thing (leads in a CRM without them); details.capability names it.",
  },
  internal_error: {
    status: 500,
    description: 'An unexpected failure; the log has the details under the request id.',
  },
  not_ready: {
    status: 503,
    description:
      'A readiness check failed: the database, Redis (scale mode) or the work queue is unreachable; details.checks says each.',
  },
  server_busy: {
    status: 503,
    description:
      'Too many passwords are being checked at once; Retry-After (and details.retryAfterSeconds) says when to try again.',
  },
  worker_unavailable: {
    status: 503,
    description:
      'No process running background work (wasync worker, or wasync serve) took a linked-device request (pair, resume, unlink) in time.',
  },
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
