import { describe, expect, it } from 'vitest';
import { networkError, oauthError, salesforceError } from './errors.js';

const body = (errorCode: string) => [{ message: `${errorCode} happened`, errorCode }];

describe('Salesforce errors → what the engine does', () => {
  it.each([
    [503, 'SERVER_UNAVAILABLE', 'retryable'],
    [500, 'UNKNOWN_EXCEPTION', 'retryable'],
    [429, 'REQUEST_LIMIT_EXCEEDED', 'retryable'],
    [400, 'UNABLE_TO_LOCK_ROW', 'retryable'],
    [401, 'INVALID_SESSION_ID', 'park'],
    [403, 'API_DISABLED_FOR_ORG', 'park'],
    [404, 'NOT_FOUND', 'rejected'],
    [400, 'REQUIRED_FIELD_MISSING', 'rejected'],
    [400, 'STRING_TOO_LONG', 'rejected'],
  ])('%i %s is %s', (status, code, kind) => {
    expect(salesforceError(status, body(code), null)).toMatchObject({ kind, code });
  });

  // Both limits answer 403 REQUEST_LIMIT_EXCEEDED; the message says which one.
  const DAILY = 'TotalRequests Limit exceeded.';
  const CONCURRENT = 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.';
  const limit = (message: string) => [{ message, errorCode: 'REQUEST_LIMIT_EXCEEDED' }];
  it.each([
    ['the daily allocation', DAILY, null, 30 * 60_000],
    ['the concurrency limit', CONCURRENT, null, undefined],
    ['the concurrency limit, whatever the usage header', CONCURRENT, 'api-usage=5000/5000', undefined],
    ['an unknown wording with the allocation spent', 'Limit exceeded', 'api-usage=5000/5000', 30 * 60_000],
    ['an unknown wording with room left', 'Limit exceeded', 'api-usage=18/5000', undefined],
    ['an unknown wording and no usage', 'Limit exceeded', null, 30 * 60_000],
  ])('403 REQUEST_LIMIT_EXCEEDED for %s', (_case, message, limitInfo, wait) => {
    expect(salesforceError(403, limit(message), null, limitInfo)).toMatchObject({
      kind: 'retryable',
      code: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: wait,
    });
  });

  it('waits half an hour on a spent daily quota, and honours Retry-After when there is one', () => {
    expect(salesforceError(403, limit(DAILY), null).retryAfterMs).toBe(30 * 60_000);
    expect(salesforceError(503, body('SERVER_UNAVAILABLE'), '7').retryAfterMs).toBe(7000);
  });

  it("waits only the engine's short backoff on the concurrency limit, not the daily window", () => {
    expect(salesforceError(403, limit(CONCURRENT), null)).toMatchObject({
      kind: 'retryable',
      retryAfterMs: undefined,
    });
  });

  it('parks on refused sign-ins, retries when the token endpoint is down', () => {
    expect(oauthError(400, { error: 'invalid_grant', error_description: 'expired' })).toMatchObject({
      kind: 'park',
      code: 'invalid_grant',
    });
    expect(oauthError(503, 'down')).toMatchObject({ kind: 'retryable' });
  });

  it('retries network failures and timeouts', () => {
    const timeout = new Error('The operation was aborted due to timeout');
    timeout.name = 'TimeoutError';
    expect(networkError(timeout)).toMatchObject({ kind: 'retryable', code: 'TIMEOUT' });
    expect(networkError(new Error('ECONNREFUSED'))).toMatchObject({ kind: 'retryable', code: 'NETWORK' });
  });
});

describe('Salesforce errors: outcome of a write', () => {
  it('a server error on a write may have saved it; on a read, nothing is in doubt', () => {
    expect(salesforceError(500, body('UNKNOWN_EXCEPTION'), null, null, 'POST').outcomeUnknown).toBe(true);
    expect(salesforceError(503, body('SERVER_UNAVAILABLE'), null, null, 'GET').outcomeUnknown).toBe(false);
    expect(salesforceError(400, body('REQUIRED_FIELD_MISSING'), null, null, 'POST').outcomeUnknown).toBe(
      false,
    );
  });
});
