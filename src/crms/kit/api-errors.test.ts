import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerErrorEnvelope } from '../../server/error-envelope.js';
import { CrmError, DuplicateRecordsError } from '../types.js';
import { asApiError, crmErrorAsWasync } from './api-errors.js';

const duplicate = new DuplicateRecordsError({
  code: 'DUPLICATES_DETECTED',
  message: 'Use one of these records?',
  duplicates: [
    {
      type: 'contact',
      id: '003A',
      name: 'Ada',
      phones: ['+4930123'],
      url: 'https://x/003A',
      extra: 1,
    } as never,
  ],
});

describe('CrmError → the API error envelope', () => {
  it.each([
    [
      'a refusal',
      new CrmError({ kind: 'rejected', code: 'INVALID_ID', message: 'no such record' }),
      502,
      'crm_refused',
      { crmCode: 'INVALID_ID', kind: 'rejected' },
    ],
    [
      'a connection to park',
      new CrmError({ kind: 'park', code: 'invalid_client', message: 'bad secret' }),
      502,
      'crm_refused',
      { crmCode: 'invalid_client', kind: 'park' },
    ],
    [
      'a passing failure',
      new CrmError({ kind: 'retryable', code: 'TIMEOUT', message: 'slow', outcomeUnknown: true }),
      502,
      'crm_refused',
      { crmCode: 'TIMEOUT', kind: 'retryable' },
    ],
    [
      'leads where the CRM is set up without them',
      new CrmError({ kind: 'rejected', code: 'LEADS_DISABLED', message: 'simple mode' }),
      409,
      'crm_unsupported',
      { capability: 'leads', crmCode: 'LEADS_DISABLED' },
    ],
    [
      'duplicates',
      duplicate,
      409,
      'crm_duplicates',
      {
        crmCode: 'DUPLICATES_DETECTED',
        duplicates: [
          { type: 'contact', id: '003A', name: 'Ada', phones: ['+4930123'], url: 'https://x/003A' },
        ],
      },
    ],
  ])('%s', async (_case, error, status, code, details) => {
    const mapped = crmErrorAsWasync(error);
    expect({ status: mapped.status, code: mapped.code, details: mapped.details }).toEqual({
      status,
      code,
      details,
    });
    await expect(asApiError(() => Promise.reject(error))).rejects.toMatchObject({ code, details });

    // A route that lets the CrmError through answers the same envelope (not a 500).
    const app = Fastify();
    registerErrorEnvelope(app);
    app.get('/t', async () => {
      throw error;
    });
    const response = await app.inject({ method: 'GET', url: '/t' });
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toMatchObject({ code, message: error.message, details });
    await app.close();
  });

  it('lets other errors through untouched', async () => {
    const other = new Error('not a CRM');
    await expect(asApiError(() => Promise.reject(other))).rejects.toBe(other);
  });
});
