import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WasyncError } from '../core/errors.js';
import type { Role } from '../core/model.js';
import type { SessionRepository } from '../store/repositories/sessions.js';
import type { TokenRepository } from '../store/repositories/tokens.js';

/** Who a request acts for: an API token, or a person signed in through the browser. */
export type Grant =
  | {
      via: 'token';
      tokenId: string;
      workspaceId: string;
      /** The lesser of the token's role and its owner's role at this request. */
      role: Role;
      name: string;
      /** The token's owner; undefined only before the workspace's first admin signs up. */
      userId: string | undefined;
    }
  | {
      via: 'session';
      sessionId: string;
      userId: string;
      workspaceId: string;
      role: Role;
      name: string;
      email: string;
      csrfToken: string;
      expiresAt: number;
    };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every /api request that passed authentication. */
    grant: Grant | undefined;
  }
}

export const SESSION_COOKIE = 'wasync_session';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * What is reachable without a token or session: the documentation, the first-run check and first
 * admin sign-up, signing in, and opening or accepting an invite.
 */
const PUBLIC_API: [method: string, path: RegExp][] = [
  ['GET', /^\/api\/v1\/openapi\.json$/],
  ['GET', /^\/api\/v1\/docs(\/|$)/],
  ['GET', /^\/api\/v1\/setup$/],
  ['POST', /^\/api\/v1\/setup\/admin$/],
  ['POST', /^\/api\/v1\/session$/],
  ['GET', /^\/api\/v1\/invites\/wsi_[\w-]+$/],
  ['POST', /^\/api\/v1\/invites\/wsi_[\w-]+\/accept$/],
  // The CRM sends the browser back here: a top-level GET, so no CSRF header, and it needs the
  // session, not a bearer token. Listed so that a browser without a (live) session is not answered
  // a JSON 401 but sent to the workspace with the reason; the route itself accepts only a session
  // grant, and the state (bound to that session) is the CSRF protection.
  ['GET', /^\/api\/v1\/oauth\/[a-z0-9-]+\/callback$/],
];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authentication for /api: `Authorization: Bearer <token>` (scripts, the CLI, integrations), or the
 * session cookie the web app signs in with. A change made with the cookie must carry the session's
 * CSRF token in `X-CSRF-Token`, which a page of another site cannot read; a bearer token needs none,
 * since no browser sends it on its own.
 */
export function registerAuth(
  app: FastifyInstance,
  repositories: { tokens: TokenRepository; sessions: SessionRepository },
): void {
  const { tokens, sessions } = repositories;
  app.decorateRequest('grant', undefined);
  app.addHook('onRequest', async (request) => {
    const path = decodedPath(request.url);
    // The router decodes the path and reads absolute-form targets, so the check goes by both what
    // the path says and which route was matched: `/%61pi/v1/accounts` reaches /api/v1/accounts.
    if (!path.startsWith('/api/') && !request.routeOptions.url?.startsWith('/api/')) return;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const isPublic = PUBLIC_API.some(([m, re]) => m === method && re.test(path));
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    if (bearer) {
      const grant = await tokens.verify(bearer);
      if (!grant) throw new WasyncError('unauthorized', 'The token is unknown or has been revoked.');
      request.grant = { via: 'token', ...grant };
      await tokens.touch(grant.tokenId);
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) {
      const grant = await sessions.verify(cookie);
      if (grant) {
        request.grant = { via: 'session', ...grant };
        if (!SAFE_METHODS.has(request.method) && !csrfMatches(request, grant.csrfToken)) {
          throw new WasyncError(
            'csrf_failed',
            'This change needs the X-CSRF-Token header of your session; reload the page.',
          );
        }
        return;
      }
      if (!isPublic) throw new WasyncError('session_expired', 'Your session has ended; sign in again.');
    }
    if (isPublic) return;
    throw new WasyncError(
      'unauthorized',
      'Sign in, or send an API token as `Authorization: Bearer <token>`.',
    );
  });
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode === 401 && !request.cookies[SESSION_COOKIE]) {
      reply.header('WWW-Authenticate', 'Bearer realm="wasync"');
    }
  });
}

/**
 * The path of a request target as the router reads it: percent-decoded, and for an absolute-form
 * target (`GET http://host/api/v1/accounts`, RFC 9112 §3.2.2) the part after the authority.
 */
export function decodedPath(target: string): string {
  let path = target.split('?')[0] ?? '';
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      return path;
    }
  }
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function csrfMatches(request: FastifyRequest, expected: string): boolean {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Sets the session cookie: httpOnly, SameSite=Lax, Secure when the server is reached over https. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: number,
  publicUrl: string | undefined,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https' || publicUrl?.startsWith('https:') === true,
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** The grant of an authenticated request; routes under /api can rely on it. */
export function grantOf(request: FastifyRequest): Grant {
  if (!request.grant) throw new WasyncError('unauthorized', 'Authentication required.');
  return request.grant;
}

export function requireAdmin(request: FastifyRequest): Grant {
  const grant = grantOf(request);
  if (grant.role !== 'admin') throw new WasyncError('forbidden', 'Only an admin may do this.');
  return grant;
}
