import { describe, expect, it } from 'vitest';
import { tokenAnswerError } from './auth.js';
import { recordError, zohoError } from './errors.js';

const envelope = (code: string, details: Record<string, unknown> = {}) => ({
  code,
  details,
  message: `${code} happened`,
  status: 'error',
});

describe('Zoho errors → what the engine does', () => {
  it.each([
    [429, 'TOO_MANY_REQUESTS', 'retryable'],
    [429, 'RATE_LIMIT_EXCEEDED', 'retryable'],
    [500, 'INTERNAL_ERROR', 'retryable'],
    [400, 'LIMIT_EXCEEDED', 'retryable'],
    [401, 'INVALID_TOKEN', 'park'],
    [401, 'AUTHENTICATION_FAILURE', 'park'],
    [401, 'OAUTH_SCOPE_MISMATCH', 'park'],
    [403, 'NO_PERMISSION', 'park'],
    [400, 'INVALID_MODULE', 'park'],
    [400, 'INVALID_DATA', 'rejected'],
    [400, 'MANDATORY_NOT_FOUND', 'rejected'],
    [400, 'DUPLICATE_DATA', 'rejected'],
    [400, 'INVALID_QUERY', 'rejected'],
    [404, 'INVALID_URL_PATTERN', 'rejected'],
  ])('%i %s is %s', (status, code, kind) => {
    expect(zohoError(status, envelope(code), null)).toMatchObject({ kind, code });
  });

  it('waits half an hour once the day’s credits are spent, and honours Retry-After', () => {
    expect(zohoError(400, envelope('LIMIT_EXCEEDED'), null).retryAfterMs).toBe(30 * 60_000);
    expect(zohoError(429, envelope('TOO_MANY_REQUESTS'), '4').retryAfterMs).toBe(4000);
  });

  it('names the field and limit a refusal gives', () => {
    expect(
      zohoError(400, envelope('INVALID_DATA', { api_name: 'Mobile', maximum_length: 30 }), null).message,
    ).toBe('INVALID_DATA happened (Mobile: maximum_length 30)');
  });

  it('reads an answer that is not the envelope (a proxy page) by its status', () => {
    expect(zohoError(502, '<html>Bad gateway</html>', null)).toMatchObject({
      kind: 'retryable',
      code: 'HTTP_502',
    });
    expect(zohoError(400, undefined, null)).toMatchObject({ kind: 'rejected', code: 'HTTP_400' });
  });

  it('a server error on a write may have saved it; on a read, nothing is in doubt', () => {
    expect(zohoError(500, envelope('INTERNAL_ERROR'), null, 'POST').outcomeUnknown).toBe(true);
    expect(zohoError(500, envelope('INTERNAL_ERROR'), null, 'GET').outcomeUnknown).toBe(false);
    expect(zohoError(400, envelope('INVALID_DATA'), null, 'POST').outcomeUnknown).toBe(false);
  });

  it('reads a refused record of a batch by its code', () => {
    expect(recordError(envelope('MANDATORY_NOT_FOUND', { api_name: 'Last_Name' }))).toMatchObject({
      kind: 'rejected',
      code: 'MANDATORY_NOT_FOUND',
    });
    expect(recordError(envelope('INTERNAL_ERROR'))).toMatchObject({ kind: 'retryable' });
  });
});

describe('Zoho token endpoint answers (HTTP 200 with `error`)', () => {
  it.each([
    ['invalid_code', 'park'],
    ['invalid_client', 'park'],
    ['Access Denied', 'retryable'],
  ])('%s is %s', (error, kind) => {
    expect(tokenAnswerError({ error }, 200)).toMatchObject({ kind });
  });

  it('waits for the ten-minute window after "Access Denied"', () => {
    expect(tokenAnswerError({ error: 'Access Denied', status: 'failure' }, 200)?.retryAfterMs).toBe(
      10 * 60_000,
    );
  });

  it('takes a token answer as one, and retries when the accounts server is down', () => {
    expect(
      tokenAnswerError({ access_token: 'x', api_domain: 'https://www.zohoapis.eu' }, 200),
    ).toBeUndefined();
    expect(tokenAnswerError({}, 503)).toMatchObject({ kind: 'retryable', code: 'HTTP_503' });
  });
});
