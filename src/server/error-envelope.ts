import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, isWasyncError } from '../core/errors.js';
import { crmErrorAsWasync } from '../crms/kit/api-errors.js';
import { CrmError } from '../crms/types.js';

/** Every error response has this one shape (docs/errors.md). */
export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code; see docs/errors.md.'),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
      requestId: z.string(),
    }),
  })
  .meta({ id: 'Error' });

/** Fastify's own errors, mapped to our codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

export function registerErrorEnvelope(app: FastifyInstance): void {
  app.setErrorHandler((thrown: FastifyError, request, reply) => {
    // A CRM failure no route caught answers like one that did (one mapping, crms/kit/api-errors.ts).
    const error = thrown instanceof CrmError ? (crmErrorAsWasync(thrown) as unknown as FastifyError) : thrown;
    const send = (
      status: number,
      code: ErrorCode | string,
      message: string,
      details?: Record<string, unknown>,
    ) =>
      reply
        .status(status)
        .send({ error: { code, message, ...(details ? { details } : {}), requestId: request.id } });

    if (isWasyncError(error)) {
      // A refusal that passes (429, 503) says when to come back, as RFC 9110 §10.2.3 lets it.
      const retryAfter = error.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number')
        reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
      return send(error.status, error.code, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        field: [error.validationContext, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return send(400, 'validation_failed', 'The request does not match the documented schema.', { issues });
    }
    const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (mapped) return send(error.statusCode ?? 400, mapped, error.message);
    if (error instanceof SyntaxError || (error.statusCode === 400 && !error.code)) {
      return send(400, 'bad_request', 'The body is not valid JSON.');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(error.statusCode, 'bad_request', error.message);
    }
    request.log.error({ err: error }, 'unexpected error');
    return send(
      500,
      'internal_error',
      'Something went wrong; the server log has details under this request id.',
    );
  });
}

/** The JSON 404 of a route that does not exist (the web app answers page addresses first). */
export function notFoundEnvelope(request: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send({
    error: {
      code: 'not_found',
      message: `No route ${request.method} ${request.url.split('?')[0]}`,
      requestId: request.id,
    },
  });
}
