/** One entry of the error array Salesforce's REST API answers with. */
export interface SalesforceErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
  [more: string]: unknown;
}

/**
 * A failure the sandbox reports the way an org would: an HTTP status and a Salesforce error array.
 * Thrown from the store and the SOQL engine so routes, composite and collections can all render it.
 */
export class SalesforceError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[] | undefined;
  /** More the org says beside the code, e.g. `duplicateResult` with the matching records. */
  readonly extra: Record<string, unknown> | undefined;

  constructor(options: {
    status: number;
    errorCode: string;
    message: string;
    fields?: string[];
    extra?: Record<string, unknown>;
  }) {
    super(options.message);
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.fields = options.fields;
    this.extra = options.extra;
  }

  toBody(): SalesforceErrorBody[] {
    const entry: SalesforceErrorBody = { ...this.extra, message: this.message, errorCode: this.errorCode };
    if (this.fields !== undefined) entry.fields = this.fields;
    return [entry];
  }

  /** sObject Collections and composite results name the code `statusCode` and always carry `fields`. */
  toCollectionError(): { statusCode: string; message: string; fields: string[] } {
    return { ...this.extra, statusCode: this.errorCode, message: this.message, fields: this.fields ?? [] };
  }
}

export const RESOURCE_NOT_FOUND = 'The requested resource does not exist';

export function notFound(message = RESOURCE_NOT_FOUND): SalesforceError {
  return new SalesforceError({ status: 404, errorCode: 'NOT_FOUND', message });
}

export function badRequest(errorCode: string, message: string, fields?: string[]): SalesforceError {
  return new SalesforceError({ status: 400, errorCode, message, ...(fields ? { fields } : {}) });
}
