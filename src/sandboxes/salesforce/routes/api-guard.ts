import type { FastifyReply, FastifyRequest } from 'fastify';
import { addLatency as holdFor } from '../../kit/latency.js';
import { faultResponse } from '../faults.js';
import type { SandboxOrg } from '../org.js';
import type { SchemaLookup } from '../store/field-security.js';

/** How a family of routes reports the guard's refusals: REST error arrays or SOAP faults. */
export interface GuardRenderer {
  contentType: string;
  render(status: number, errorCode: string, message: string): { status: number; body: string };
}

export const REST_RENDERER: GuardRenderer = {
  contentType: 'application/json;charset=UTF-8',
  render: (status, errorCode, message) => ({ status, body: JSON.stringify([{ message, errorCode }]) }),
};

/** A session granted to the current request, kept for handlers that stamp OwnerId and CreatedById. */
export interface ApiSession {
  userId: string;
  clientId: string;
}

const sessions = new WeakMap<FastifyRequest, ApiSession>();
const heldLocks = new WeakMap<FastifyRequest, () => void>();
export function sessionOf(request: FastifyRequest): ApiSession {
  const session = sessions.get(request);
  if (!session) throw new Error('route reached without passing the API guard');
  return session;
}

/** The schema as the request's user sees it through field-level security. */
export function schemaOf(org: SandboxOrg, request: FastifyRequest): SchemaLookup {
  return org.store.schemaFor(sessionOf(request).userId);
}

export function isSubrequest(org: SandboxOrg, request: FastifyRequest): boolean {
  return request.headers['x-sandbox-subrequest'] === org.subrequestSecret;
}

/**
 * What every API request goes through, in an org's order: session check (401), daily allocation
 * (403), usage header, then a fault a test scripted or the generator picks, else the org's serial
 * lock. Composite subrequests are authenticated but neither counted, faulted nor locked, since the
 * composite call already was.
 * Returns false when it has answered (or hung) the request itself.
 */
export async function admitApiRequest(
  org: SandboxOrg,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { token: string | undefined; renderer: GuardRenderer },
): Promise<boolean> {
  const refuse = (status: number, errorCode: string, message: string) => {
    const rendered = options.renderer.render(status, errorCode, message);
    reply.status(rendered.status).type(options.renderer.contentType).send(rendered.body);
    return false;
  };
  const grant = options.token === undefined ? undefined : org.tokens.verify(options.token);
  if (!grant) return refuse(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  sessions.set(request, { userId: grant.userId, clientId: grant.clientId });
  if (isSubrequest(org, request)) return true;

  if (!org.usage.tryConsume()) {
    reply.header('Sforce-Limit-Info', org.usage.header());
    return refuse(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  }
  reply.header('Sforce-Limit-Info', org.usage.header());

  const fault = await org.faults.decide(request, reply);
  if (fault.action === 'serve') {
    const release = await org.lock.acquire();
    heldLocks.set(request, release);
    // A client that gives up gets no onResponse; the closed socket must still let the next one in.
    reply.raw.once('close', release);
    if (request.raw.destroyed || reply.raw.destroyed) release();
    return true;
  }
  if (fault.action === 'answer') {
    const { status, body } = faultResponse(fault.kind);
    const first = body[0];
    return refuse(status, first?.errorCode ?? 'UNKNOWN_EXCEPTION', first?.message ?? '');
  }
  return false;
}

/** Lets the next API request in; called when a response is sent or the client goes away. */
export function releaseRequestLock(request: FastifyRequest): void {
  heldLocks.get(request)?.();
  heldLocks.delete(request);
}

/** Adds the configured latency; the sandbox answers no faster than this. */
export async function addLatency(org: SandboxOrg): Promise<void> {
  await holdFor(org.options.latencyMs);
}
