import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * Zoho's error envelope, `{code, details, message, status: "error"}` (crm-oas v8.0/common.json,
 * `API_Exception`: all four keys required), thrown by routes and rendered by the handler below.
 */
export class ZohoApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ZohoApiError';
  }

  toBody() {
    return { code: this.code, details: this.details, message: this.message, status: 'error' };
  }
}

/** A per-record result inside `data[]`, in the same envelope (crm-oas v8.0/record/mds/createRecords.md). */
export function recordError(code: string, message: string, details: Record<string, unknown>) {
  return { code, details, message, status: 'error' as const };
}

/**
 * 401 INVALID_TOKEN, "invalid oauth token" (crm-oas v8.0/notes.json `Note_API_Exception` lists
 * that code and message; v8.0/attachments getAttachments response-401-invalidtoken example).
 */
export const invalidToken = () => new ZohoApiError(401, 'INVALID_TOKEN', 'invalid oauth token');

export const invalidModule = () =>
  // crm-oas v8.0/notes.json `Invalid_Module_API_Exception`.
  new ZohoApiError(400, 'INVALID_MODULE', 'the module name given seems to be invalid');

/**
 * An unknown parent record in a related-list path: 400 INVALID_DATA "the related id given seems to
 * be invalid" with the path segment's index (crm-oas v8.0/attachments getAttachmentById 400 schema).
 */
export const relatedIdInvalid = (index: number) =>
  new ZohoApiError(400, 'INVALID_DATA', 'the related id given seems to be invalid', {
    resource_path_index: index,
  });

/**
 * Renders every failure in the envelope: thrown ZohoApiErrors as they are, a body Fastify could not
 * parse as INVALID_DATA (unverified: the doc shows INVALID_DATA for a body of the wrong type), an
 * unknown route as 404 INVALID_URL_PATTERN (createRecords.md, 404 `RecordInvalidURLResponse`).
 */
export function registerZohoErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ZohoApiError, request, reply) => {
    if (error instanceof ZohoApiError) return reply.status(error.status).send(error.toBody());
    const status = error.statusCode ?? 500;
    if (status === 413)
      // attachments/mds/uploadAttachment.md: 413 BODY_SIZE_REACHED past the request body limit.
      return reply
        .status(413)
        .send(new ZohoApiError(413, 'BODY_SIZE_REACHED', 'request body size exceeded').toBody());
    if (status >= 400 && status < 500)
      return reply.status(400).send(new ZohoApiError(400, 'INVALID_DATA', 'invalid data').toBody());
    request.log.error({ err: error }, 'sandbox failure');
    return reply
      .status(500)
      .send(new ZohoApiError(500, 'INTERNAL_ERROR', 'Internal server error occurred.').toBody());
  });
  app.setNotFoundHandler((_request, reply) =>
    reply
      .status(404)
      .send(
        new ZohoApiError(
          404,
          'INVALID_URL_PATTERN',
          'Please check if the URL trying to access is a correct one',
        ).toBody(),
      ),
  );
}

/** `page` or `per_page` of a list: a whole number from 1, else INVALID_DATA naming the parameter. */
export function pageParameter(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', {
      api_name: name,
      expected_data_type: 'integer',
    });
  return parsed;
}
