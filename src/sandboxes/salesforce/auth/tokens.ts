import { createHmac, randomBytes } from 'node:crypto';
import { AuthorizationCodes, type CodeRefusal } from '../../kit/authorization-codes.js';
import { TokenStore } from '../../kit/oauth-tokens.js';

/**
 * An org's tokens in its own shapes: access tokens look like a session id (`00D…!AQ…`), refresh
 * tokens and codes are long opaque strings (`5Aep…`, `aPrx…`); the shape does not matter to a client.
 */
export function orgTokenStore(orgId: string, ttlMs: number, clock: () => number): TokenStore {
  return new TokenStore({
    ttlMs,
    clock,
    newAccessToken: () => `${orgId.slice(0, 15)}!AQ${randomBytes(72).toString('base64url')}`,
    newRefreshToken: () => `5Aep${randomBytes(60).toString('base64url')}`,
  });
}

/**
 * How long an authorization code may wait to be exchanged. Salesforce does not state it in the pages
 * read for this sandbox; 15 minutes is the figure reported for orgs. wasync exchanges the code at
 * once, so only "short" matters here, and tests move the clock past it.
 */
export const AUTHORIZATION_CODE_TTL_MS = 15 * 60_000;

export function orgAuthorizationCodes(clock: () => number): AuthorizationCodes {
  return new AuthorizationCodes({
    clock,
    ttlMs: AUTHORIZATION_CODE_TTL_MS,
    newCode: () => `aPrx${randomBytes(48).toString('base64url')}`,
  });
}

/**
 * The error descriptions orgs answer for a refused code: "invalid authorization code" for an unknown
 * or used code, "expired authorization code" past its lifetime, "invalid code verifier" for a PKCE
 * mismatch (as reported from orgs; the REST API Developer Guide, "Web Server OAuth Authentication
 * Flow", says a code_challenge without a code_verifier fails with invalid_grant).
 */
export const CODE_REFUSALS: Readonly<Record<CodeRefusal, string>> = {
  unknown: 'invalid authorization code',
  expired: 'expired authorization code',
  redirect_mismatch: 'redirect_uri must match configuration',
  verifier_mismatch: 'invalid code verifier',
};

/** The token response's `signature`: HMAC-SHA256 of id + issued_at keyed by the client secret. */
export function tokenSignature(clientSecret: string, identityUrl: string, issuedAt: string): string {
  return createHmac('sha256', clientSecret)
    .update(identityUrl + issuedAt)
    .digest('base64');
}
