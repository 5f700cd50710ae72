import { describe, expect, it } from 'vitest';
import { classifyStatus, networkFailure, parseRetryAfter } from './errors.js';

describe('Retry-After', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  it.each([
    ['7', 7_000],
    [' 120 ', 120_000],
    ['0', 0],
    ['Fri, 04 Dec 2026 12:00:30 GMT', 30_000],
    ['Fri, 04 Dec 2026 11:59:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j waits %j ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
});

describe('HTTP status → CrmError kind', () => {
  it.each([
    [500, 'POST', 'retryable', true],
    [503, 'PATCH', 'retryable', true],
    [502, 'DELETE', 'retryable', true],
    [500, 'GET', 'retryable', false],
    [429, 'POST', 'retryable', false],
    [408, 'POST', 'retryable', false],
    [401, 'POST', 'park', false],
    [403, 'GET', 'park', false],
    [400, 'POST', 'rejected', false],
    [404, 'GET', 'rejected', false],
  ] as const)('%i on %s is %s, outcome unknown: %s', (status, method, kind, outcomeUnknown) => {
    expect(classifyStatus(status, method)).toEqual({ kind, outcomeUnknown });
  });
});

describe('failures without an answer', () => {
  const withCause = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
  it.each([
    ['a timeout', Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 'TIMEOUT', true],
    ['a reset after sending', withCause('ECONNRESET'), 'NETWORK', true],
    ['a socket closed mid-answer', withCause('UND_ERR_SOCKET'), 'NETWORK', true],
    ['an unknown failure', new Error('boom'), 'NETWORK', true],
    ['a refused connection', withCause('ECONNREFUSED'), 'NETWORK', false],
    ['an unknown host', withCause('ENOTFOUND'), 'NETWORK', false],
  ])('%s is %s, outcome unknown: %s', (_case, error, code, outcomeUnknown) => {
    expect(networkFailure('Acme CRM', error)).toMatchObject({ kind: 'retryable', code, outcomeUnknown });
  });
});
