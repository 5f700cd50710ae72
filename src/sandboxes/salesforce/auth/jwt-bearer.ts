import { createPublicKey, verify } from 'node:crypto';
import type { OAuthClient } from '../options.js';

/** A refusal of the token endpoint, as Salesforce words it. */
export interface JwtRefusal {
  ok: false;
  error: 'invalid_grant' | 'invalid_client_id';
  description: string;
}

export type JwtCheck = { ok: true; clientId: string; subject: string } | JwtRefusal;

interface JwtPayload {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const normalUrl = (url: string) => url.replace(/\/+$/, '').toLowerCase();

/**
 * Checks a JWT bearer assertion as Salesforce's token endpoint does (Salesforce Help, "OAuth 2.0
 * JWT Bearer Flow for Server-to-Server Integration"): three base64url parts; `iss` the consumer key
 * of a known app; an RS256 signature by the key of the certificate uploaded to that app (always:
 * an app without one cannot use the flow); `aud` one of the audiences the org accepts; `exp` in the
 * future. The `sub` (a username) is the caller's to check against the org's users.
 *
 * The error bodies are the ones orgs answer in practice (the help page shows only the shape): a bad
 * signature "invalid assertion", a wrong `aud` "audience is invalid", a past `exp` "expired
 * authorization code", an unknown `iss` `invalid_client_id` "client identifier invalid".
 * Unverified: the order in which an org checks these.
 */
export function checkJwtAssertion(
  assertion: string,
  context: { clients: readonly OAuthClient[]; audiences: readonly string[]; nowMs: number },
): JwtCheck {
  const invalid = (description: string): JwtRefusal => ({ ok: false, error: 'invalid_grant', description });
  const parts = assertion.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || !headerPart || !payloadPart || signaturePart === undefined) {
    return invalid('invalid assertion');
  }
  const header = decodeJson(headerPart);
  const payload: JwtPayload | undefined = decodeJson(payloadPart);
  if (!header || !payload) return invalid('invalid assertion');
  const client = context.clients.find((c) => c.clientId === payload.iss);
  if (!client) return { ok: false, error: 'invalid_client_id', description: 'client identifier invalid' };
  if (!signedBy(client, header, `${headerPart}.${payloadPart}`, signaturePart)) {
    return invalid('invalid assertion');
  }
  const accepted = context.audiences.map(normalUrl);
  if (typeof payload.aud !== 'string' || !accepted.includes(normalUrl(payload.aud))) {
    return invalid('audience is invalid');
  }
  if (typeof payload.exp !== 'number' || payload.exp * 1000 <= context.nowMs) {
    return invalid('expired authorization code');
  }
  // Unverified: a missing sub reads like an unknown user; orgs do not say which usernames exist.
  if (typeof payload.sub !== 'string') return invalid("user hasn't approved this consumer");
  return { ok: true, clientId: client.clientId, subject: payload.sub };
}

/** RS256 by the client's registered key; a client with no key registered signs nothing. */
function signedBy(
  client: OAuthClient,
  header: Record<string, unknown>,
  signed: string,
  signature: string,
): boolean {
  if (client.jwtPublicKeyPem === undefined || header.alg !== 'RS256') return false;
  try {
    return verify(
      'RSA-SHA256',
      Buffer.from(signed),
      createPublicKey(client.jwtPublicKeyPem),
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
