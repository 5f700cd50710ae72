import type { FastifyError, FastifyInstance } from 'fastify';
import { RESOURCE_NOT_FOUND, SalesforceError } from './errors.js';

const JSON_HEADER = 'application/json;charset=UTF-8';

/**
 * Renders every failure as a Salesforce error array: SalesforceError as thrown, body-parsing
 * problems as JSON_PARSER_ERROR, unknown routes as NOT_FOUND, anything else as UNKNOWN_EXCEPTION.
 */
export function registerSalesforceErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | SalesforceError, request, reply) => {
    if (error instanceof SalesforceError) {
      return reply.status(error.status).type(JSON_HEADER).send(error.toBody());
    }
    const status = error.statusCode ?? 500;
    if (status === 415) {
      return reply
        .status(415)
        .type(JSON_HEADER)
        .send([
          {
            message: `Content type '${request.headers['content-type'] ?? ''}' not supported`,
            errorCode: 'UNSUPPORTED_MEDIA_TYPE',
          },
        ]);
    }
    if (status === 413) {
      return reply
        .status(413)
        .type(JSON_HEADER)
        .send([{ message: 'Request entity too large', errorCode: 'REQUEST_ENTITY_TOO_LARGE' }]);
    }
    if (status >= 400 && status < 500) {
      return reply
        .status(400)
        .type(JSON_HEADER)
        .send([{ message: error.message, errorCode: 'JSON_PARSER_ERROR' }]);
    }
    request.log.error({ err: error }, 'sandbox failure');
    return reply
      .status(500)
      .type(JSON_HEADER)
      .send([{ message: `An unexpected error occurred: ${error.message}`, errorCode: 'UNKNOWN_EXCEPTION' }]);
  });
  app.setNotFoundHandler((_request, reply) => {
    reply
      .status(404)
      .type(JSON_HEADER)
      .send([{ message: RESOURCE_NOT_FOUND, errorCode: 'NOT_FOUND' }]);
  });
}

/** Bodies Fastify does not parse itself: OAuth forms, multipart uploads, SOAP envelopes. */
export function registerBodyParsers(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  app.addContentTypeParser(
    ['text/xml', 'application/soap+xml'],
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, String(body));
    },
  );
}
