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

  it('waits half an hour on a spent daily quota, and honours Retry-After when there is one', () => {
    expect(salesforceError(403, body('REQUEST_LIMIT_EXCEEDED'), null).retryAfterMs).toBe(30 * 60_000);
    expect(salesforceError(503, body('SERVER_UNAVAILABLE'), '7').retryAfterMs).toBe(7000);
  });

  it('treats a 429 as the concurrency limit of the moment, not the daily quota', () => {
    expect(salesforceError(429, body('REQUEST_LIMIT_EXCEEDED'), null)).toMatchObject({
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
