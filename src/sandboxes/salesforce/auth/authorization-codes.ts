import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An authorization request waiting on the consent page. */
export interface ConsentRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scope: string;
  codeChallenge: string | undefined;
}

interface IssuedCode extends ConsentRequest {
  userId: string;
  expiresAt: number;
}

/**
 * How long an authorization code may wait to be exchanged. Salesforce does not state it in the pages
 * read for this sandbox; 15 minutes is the figure reported for orgs. wasync exchanges the code at
 * once, so only "short" matters here, and tests move the clock past it.
 */
export const AUTHORIZATION_CODE_TTL_MS = 15 * 60_000;

export type CodeRedemption =
  | { ok: true; clientId: string; userId: string; scope: string }
  | { ok: false; description: string };

/**
 * The web server flow's state in one sandbox org: authorization requests shown on the consent page
 * (by ticket) and the codes they turned into, each redeemable once (RFC 6749 §4.1.2: "The client
 * MUST NOT use the authorization code more than once").
 */
export class AuthorizationCodes {
  private consents = new Map<string, ConsentRequest>();
  private codes = new Map<string, IssuedCode>();

  constructor(private readonly clock: () => number) {}

  /** Keeps a request for the consent page; the ticket names it in the page's form. */
  awaitConsent(request: ConsentRequest): string {
    const ticket = randomBytes(18).toString('base64url');
    this.consents.set(ticket, request);
    return ticket;
  }

  /** The request behind a ticket, taken: a consent page answers once. */
  takeConsent(ticket: string): ConsentRequest | undefined {
    const request = this.consents.get(ticket);
    this.consents.delete(ticket);
    return request;
  }

  issue(request: ConsentRequest, userId: string): string {
    // Salesforce's codes are long opaque strings (aPrx…); the shape does not matter to a client.
    const code = `aPrx${randomBytes(48).toString('base64url')}`;
    this.codes.set(code, { ...request, userId, expiresAt: this.clock() + AUTHORIZATION_CODE_TTL_MS });
    return code;
  }

  /**
   * Redeems a code. The code is spent by the attempt, whatever its outcome: a second attempt finds
   * it gone. (RFC 6749 §10.5 wants codes short-lived and single-use; whether an org spends a code on
   * a refused attempt is not documented, and the stricter reading is the one a client must survive.)
   * Error descriptions are the ones orgs answer: "invalid authorization code" for an unknown or used
   * code, "expired authorization code" past its lifetime, "invalid code verifier" for a PKCE
   * mismatch (as reported from orgs; the REST API Developer Guide, "Web Server OAuth Authentication
   * Flow", says a code_challenge without a code_verifier fails with invalid_grant).
   */
  redeem(params: {
    code: string | undefined;
    clientId: string;
    redirectUri: string | undefined;
    codeVerifier: string | undefined;
  }): CodeRedemption {
    const issued = params.code === undefined ? undefined : this.codes.get(params.code);
    if (params.code !== undefined) this.codes.delete(params.code);
    if (!issued || issued.clientId !== params.clientId)
      return { ok: false, description: 'invalid authorization code' };
    if (issued.expiresAt <= this.clock()) return { ok: false, description: 'expired authorization code' };
    // RFC 6749 §4.1.3: redirect_uri must be present and identical when the authorization request had it.
    if (params.redirectUri !== issued.redirectUri)
      return { ok: false, description: 'redirect_uri must match configuration' };
    if (issued.codeChallenge !== undefined) {
      if (!params.codeVerifier || !verifierMatches(params.codeVerifier, issued.codeChallenge))
        return { ok: false, description: 'invalid code verifier' };
    }
    return { ok: true, clientId: issued.clientId, userId: issued.userId, scope: issued.scope };
  }

  reset(): void {
    this.consents.clear();
    this.codes.clear();
  }
}

/** RFC 7636 §4.6, S256: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge. */
function verifierMatches(verifier: string, challenge: string): boolean {
  // §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
