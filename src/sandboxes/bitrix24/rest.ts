import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestCounters } from '../kit/counters.js';
import type { FaultGate } from '../kit/faults.js';
import { addLatency } from '../kit/latency.js';
import { runBatch } from './batch.js';
import type { Caller, PortalCredentials } from './credentials.js';
import { type Dispatcher, findMethod, serve } from './dispatch.js';
import type { LeakyBucket } from './limits.js';
import { Bitrix24Error, type MethodAnswer } from './method.js';
import type { Bitrix24FaultKind, ResolvedBitrix24Options } from './options.js';
import { decodePhpQuery, type Params } from './params.js';
import { answerTime } from './time.js';

export interface RestParts {
  dispatcher: Dispatcher;
  credentials: PortalCredentials;
  bucket: LeakyBucket;
  counters: RequestCounters;
  /** Commands run inside batches, by method: the bucket counts the batch once, these count each. */
  batchCommands: RequestCounters;
  faults: FaultGate<Bitrix24FaultKind>;
  options: ResolvedBitrix24Options;
}

interface RestRoute {
  Params: { userId?: string; secret?: string; method: string };
  Querystring: Record<string, unknown>;
}

/**
 * The REST entry points: an inbound webhook's `/rest/{userId}/{secret}/{method}` and an application's
 * `/rest/{method}` with `auth` (local-integrations/local-webhooks.md; settings/oauth/index.md), each
 * with or without `.json` (data-encoding.md's GET example), over GET or POST. The order a call meets
 * the rules in: credentials, the method's existence, the bucket, latency and faults, then the
 * method (scope, operating time, handler). Unverified: the real order of the first three.
 */
export function restRoutes(parts: RestParts) {
  const { dispatcher, credentials, bucket, counters, batchCommands, faults, options } = parts;
  return async (app: FastifyInstance) => {
    const call = async (request: FastifyRequest<RestRoute>, reply: FastifyReply) => {
      const start = options.clock();
      const method = request.params.method.replace(/\.json$/, '');
      counters.recordRequest(method);
      const params = callParams(request);
      const { userId, secret } = request.params;
      const caller: Caller =
        userId !== undefined && secret !== undefined
          ? credentials.webhookCaller(userId, secret)
          : credentials.tokenCaller(params.auth);
      delete params.auth;
      if (method !== 'batch') findMethod(dispatcher, method);
      // limits.md: a batch raises the counter by one, however many commands it carries.
      bucket.admit(request.ip);
      await addLatency(options.latencyMs);
      const fault = await faults.decide(request, reply);
      if (fault.action === 'dropped') return reply;
      if (fault.action === 'answer') throw faultError(fault.kind, caller);
      let answer: MethodAnswer;
      let time: ReturnType<typeof answerTime>;
      if (method === 'batch') {
        answer = runBatch(dispatcher, params, caller, (command) => batchCommands.recordRequest(command));
        // The crm-apis notes §3.5: the batch itself adds no operating time, its commands do.
        time = answerTime(start, options.clock(), options.clock() - start);
      } else {
        const served = serve(dispatcher, method, params, caller);
        answer = served;
        time = answerTime(start, options.clock(), served.processingMs, served.operating);
      }
      const body: Record<string, unknown> = { result: answer.result };
      if (answer.total !== undefined) body.total = answer.total;
      if (answer.next !== undefined) body.next = answer.next;
      body.time = time;
      return reply.send(body);
    };
    for (const path of ['/rest/:userId/:secret/:method', '/rest/:method']) {
      app.get<RestRoute>(path, call);
      app.post<RestRoute>(path, call);
    }
  };
}

/**
 * The query string and the body merged, the body winning (method.ts). A GET carrying a JSON body is
 * refused: the portal cannot tell how it was called (the crm-apis notes §3.1, "Communication type is
 * not defined", issue bitrix-tools/b24-rest-docs#223; the status and code are unverified).
 */
function callParams(request: FastifyRequest<RestRoute>): Params {
  const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  const query = decodePhpQuery(rawQuery);
  const carriesBody =
    Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (request.method === 'GET' && carriesBody && /json/i.test(request.headers['content-type'] ?? ''))
    throw new Bitrix24Error(400, 'INVALID_REQUEST', 'Communication type is not defined');
  const body = request.body;
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body)))
    // Unverified: a JSON body that is not an object.
    throw new Bitrix24Error(400, 'INVALID_REQUEST', 'The request body must be an object');
  return { ...query, ...((body as Params | undefined) ?? {}) };
}

/** The answer an injected fault gives (_includes/system-errors.md). */
export function faultError(
  kind: Exclude<Bitrix24FaultKind, 'timeout' | 'lost-answer'>,
  caller: Caller,
): Bitrix24Error {
  if (kind === '503') return new Bitrix24Error(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
  if (kind === 'expired-token' && caller.via === 'token')
    return new Bitrix24Error(401, 'expired_token', 'The access token provided has expired.');
  return new Bitrix24Error(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
}

/** Form bodies decode PHP's bracket keys as the query string does (data-encoding.md, "POST Request"). */
export function registerFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, decodePhpQuery(String(body))),
  );
}

/**
 * Refusals as the portal words them, `{error, error_description}` with the status
 * (_includes/system-errors.md, _includes/error-info.md), and no `time`: every error example in the
 * method pages (crm-contact-get.md, disk-file-delete.md, crm-item-list.md, …) has only those two
 * fields, though limits.md says all responses carry `time` (unverified either way). A body the server cannot parse is 400 (unverified code); anything
 * else unexpected is 500 INTERNAL_SERVER_ERROR.
 */
export function registerBitrix24Errors(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof Bitrix24Error)
      return reply.status(error.status).send({ error: error.code, error_description: error.description });
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply
        .status(400)
        .send({ error: 'INVALID_REQUEST', error_description: (error as Error).message });
    reply.log.error(error);
    return reply
      .status(500)
      .send({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).send({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' }),
  );
}
