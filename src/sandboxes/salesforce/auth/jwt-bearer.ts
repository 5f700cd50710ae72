import { createPublicKey, verify } from 'node:crypto';
import type { OAuthClient } from '../options.js';

export type JwtCheck =
  | { ok: true; clientId: string; subject: string | undefined }
  | { ok: false; error: 'invalid_grant' | 'invalid_client'; description: string };

interface JwtPayload {
  iss?: unknown;
  sub?: unknown;
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

/**
 * Checks a JWT bearer assertion: three base64url parts, `iss` naming a known client, `exp` in the
 * future, and an RS256 signature when that client has a public key registered. Without a key the
 * signature is not checked, so demos work without key pairs.
 */
export function checkJwtAssertion(
  assertion: string,
  clients: readonly OAuthClient[],
  nowMs: number,
): JwtCheck {
  const invalid = (description: string): JwtCheck => ({ ok: false, error: 'invalid_grant', description });
  const parts = assertion.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (
    parts.length !== 3 ||
    headerPart === undefined ||
    payloadPart === undefined ||
    signaturePart === undefined
  ) {
    return invalid('invalid assertion');
  }
  const header = decodeJson(headerPart);
  const payload: JwtPayload | undefined = decodeJson(payloadPart);
  if (!header || !payload) return invalid('invalid assertion');
  const client = clients.find((c) => c.clientId === payload.iss);
  if (!client) return { ok: false, error: 'invalid_client', description: 'client identifier invalid' };
  if (typeof payload.exp !== 'number' || payload.exp * 1000 <= nowMs)
    return invalid('expired authorization code');
  if (client.jwtPublicKeyPem !== undefined) {
    if (header.alg !== 'RS256') return invalid('invalid assertion');
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    let valid = false;
    try {
      valid = verify('RSA-SHA256', signed, createPublicKey(client.jwtPublicKeyPem), signature);
    } catch {
      valid = false;
    }
    if (!valid) return invalid('invalid assertion');
  }
  return {
    ok: true,
    clientId: client.clientId,
    subject: typeof payload.sub === 'string' ? payload.sub : undefined,
  };
}
