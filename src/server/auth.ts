import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WasyncError } from '../core/errors.js';
import type { TokenGrant, TokenRepository } from '../store/repositories/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every /api request that passed authentication. */
    grant: TokenGrant | undefined;
  }
}

/** Documentation is readable without a token; everything else under /api needs one. */
const PUBLIC_API = [/^\/api\/v1\/openapi\.json$/, /^\/api\/v1\/docs(\/|$)/];

export function registerBearerAuth(app: FastifyInstance, tokens: TokenRepository): void {
  app.decorateRequest('grant', undefined);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/api/') || PUBLIC_API.some((re) => re.test(path))) return;
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (!token)
      throw new WasyncError('unauthorized', 'Send an API token as `Authorization: Bearer <token>`.');
    const grant = await tokens.verify(token);
    if (!grant) throw new WasyncError('unauthorized', 'The token is unknown or has been revoked.');
    request.grant = grant;
    await tokens.touch(grant.tokenId);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (reply.statusCode === 401) reply.header('WWW-Authenticate', 'Bearer realm="wasync"');
  });
}

/** The grant of an authenticated request; routes under /api can rely on it. */
export function grantOf(request: FastifyRequest): TokenGrant {
  if (!request.grant) throw new WasyncError('unauthorized', 'Authentication required.');
  return request.grant;
}

export function requireAdmin(request: FastifyRequest): TokenGrant {
  const grant = grantOf(request);
  if (grant.role !== 'admin') throw new WasyncError('forbidden', 'Only an admin token may do this.');
  return grant;
}
