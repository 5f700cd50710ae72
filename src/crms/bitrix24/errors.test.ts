import { describe, expect, it } from 'vitest';
import { bitrix24Error, commandError, isNotFound } from './errors.js';

const body = (error: string, description = `${error} happened`) => ({
  error,
  error_description: description,
});

describe('Bitrix24 errors → what the engine does', () => {
  it.each([
    [503, 'QUERY_LIMIT_EXCEEDED', 'retryable'],
    [429, 'OPERATION_TIME_LIMIT', 'retryable'],
    [503, 'OVERLOAD_LIMIT', 'retryable'],
    [500, 'INTERNAL_SERVER_ERROR', 'retryable'],
    [500, 'ERROR_UNEXPECTED_ANSWER', 'retryable'],
    [401, 'NO_AUTH_FOUND', 'park'],
    [401, 'INVALID_CREDENTIALS', 'park'],
    [401, 'expired_token', 'park'],
    [401, 'invalid_token', 'park'],
    [401, 'insufficient_scope', 'park'],
    [403, 'ACCESS_DENIED', 'park'],
    [403, 'user_access_error', 'park'],
    [500, 'PORTAL_DELETED', 'park'],
    [404, 'ERROR_METHOD_NOT_FOUND', 'park'],
    [400, 'INVALID_REQUEST', 'park'],
    [400, 'NOT_FOUND', 'rejected'],
    [400, 'ERROR_NOT_FOUND', 'rejected'],
    [400, 'OWNER_NOT_FOUND', 'rejected'],
    [400, 'ERROR_CORE', 'rejected'],
    [400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'rejected'],
  ])('%i %s is %s', (status, code, kind) => {
    expect(bitrix24Error(status, body(code))).toMatchObject({ kind, code });
  });

  it('waits for the bucket to drain, for the method’s operating time, and honours Retry-After', () => {
    expect(bitrix24Error(503, body('QUERY_LIMIT_EXCEEDED')).retryAfterMs).toBe(2_000);
    expect(bitrix24Error(429, body('OPERATION_TIME_LIMIT')).retryAfterMs).toBe(60_000);
    expect(bitrix24Error(503, body('OVERLOAD_LIMIT')).retryAfterMs).toBe(60 * 60_000);
    expect(
      bitrix24Error(503, body('QUERY_LIMIT_EXCEEDED'), { write: false, retryAfterHeader: '2' }).retryAfterMs,
    ).toBe(2_000);
  });

  it('a server error on a write may have saved it; on a read, nothing is in doubt', () => {
    expect(bitrix24Error(500, body('INTERNAL_SERVER_ERROR'), { write: true }).outcomeUnknown).toBe(true);
    expect(bitrix24Error(500, body('INTERNAL_SERVER_ERROR'), { write: false }).outcomeUnknown).toBe(false);
    expect(bitrix24Error(400, body('ERROR_CORE'), { write: true }).outcomeUnknown).toBe(false);
  });

  it('reads an answer that is not the envelope (a proxy page) by its status, and names the method', () => {
    expect(bitrix24Error(502, '<html>Bad gateway</html>', { write: false })).toMatchObject({
      kind: 'retryable',
      code: 'HTTP_502',
    });
    const refused = bitrix24Error(400, undefined, { write: true, method: 'crm.contact.add' });
    expect(refused).toMatchObject({ kind: 'rejected', code: 'HTTP_400' });
    expect(refused.message).toBe('Bitrix24 answered 400 (crm.contact.add)');
  });

  it('reads a failed batch command by its code alone', () => {
    expect(commandError(body('NOT_FOUND', 'Not found.'), 'crm.timeline.comment.update', true)).toMatchObject({
      kind: 'rejected',
      code: 'NOT_FOUND',
    });
    expect(commandError(body('INTERNAL_SERVER_ERROR'), 'crm.contact.get', false)).toMatchObject({
      kind: 'retryable',
      outcomeUnknown: false,
    });
    expect(commandError(body('OPERATION_TIME_LIMIT'), 'crm.contact.list', false)).toMatchObject({
      kind: 'retryable',
      retryAfterMs: 60_000,
    });
    expect(commandError(undefined, 'crm.contact.add', true)).toMatchObject({
      kind: 'retryable',
      outcomeUnknown: true,
    });
  });

  it('knows a gone object by the codes and the empty-coded "Not found." of comment.get', () => {
    expect(isNotFound(bitrix24Error(400, body('NOT_FOUND', 'Not found.')))).toBe(true);
    expect(isNotFound(bitrix24Error(400, body('ERROR_NOT_FOUND')))).toBe(true);
    expect(isNotFound(bitrix24Error(400, body('', 'Not found.')))).toBe(true);
    expect(isNotFound(bitrix24Error(400, body('OWNER_NOT_FOUND')))).toBe(false);
    expect(isNotFound(bitrix24Error(500, body('INTERNAL_SERVER_ERROR')))).toBe(false);
  });
});
