import type { FastifyError, FastifyInstance } from 'fastify';

/** The API's one error shape: `{ "error": { "code", "message" } }` with a stable code. */
export class ReferenceApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ReferenceApiError';
  }

  toBody() {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Renders every failure in the API's error shape: thrown errors as they are, parse errors as INVALID_REQUEST. */
export function registerReferenceErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ReferenceApiError, request, reply) => {
    if (error instanceof ReferenceApiError) return reply.status(error.status).send(error.toBody());
    const status = error.statusCode ?? 500;
    if (status === 413)
      return reply.status(413).send(new ReferenceApiError(413, 'TOO_LARGE', error.message).toBody());
    if (status >= 400 && status < 500)
      return reply.status(400).send(new ReferenceApiError(400, 'INVALID_REQUEST', error.message).toBody());
    request.log.error({ err: error }, 'sandbox failure');
    return reply.status(500).send(new ReferenceApiError(500, 'INTERNAL', 'The sandbox failed.').toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(new ReferenceApiError(404, 'NOT_FOUND', `No route ${request.method} ${request.url}`).toBody()),
  );
}
