import { WasyncError } from '../../core/errors.js';
import { CrmError, DuplicateRecordsError } from '../types.js';

/**
 * What an API client is told when a CRM call fails: the one mapping from CrmError to the error
 * envelope (docs/errors.md). Duplicates come with the records the CRM matched, so the user can link
 * one; every other failure is crm_refused with the CRM's own code and what wasync makes of it.
 */
export function crmErrorAsWasync(error: CrmError): WasyncError {
  if (error instanceof DuplicateRecordsError) {
    return new WasyncError('crm_duplicates', error.message, {
      crmCode: error.code,
      duplicates: error.duplicates.map(({ type, id, name, phones, url }) => ({
        type,
        id,
        name,
        phones,
        url,
      })),
    });
  }
  // The CRM has leads, but not as it is set up now (a Bitrix24 portal in simple mode).
  if (error.code === 'LEADS_DISABLED')
    return new WasyncError('crm_unsupported', error.message, { capability: 'leads', crmCode: error.code });
  return new WasyncError('crm_refused', error.message, { crmCode: error.code, kind: error.kind });
}

/** Runs `call`, answering a CrmError it throws as the API's error (anything else passes through). */
export async function asApiError<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof CrmError ? crmErrorAsWasync(error) : error;
  }
}
