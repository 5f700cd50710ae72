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

/** Why a code was refused; each vendor words it in its own error description. */
export type CodeRefusal = 'unknown' | 'expired' | 'redirect_mismatch' | 'verifier_mismatch';

export type CodeRedemption =
  | { ok: true; clientId: string; userId: string; scope: string }
  | { ok: false; reason: CodeRefusal };

/** What differs between vendors: how long a code lives and what it looks like. */
export interface AuthorizationCodeOptions {
  clock: () => number;
  ttlMs: number;
  /** A new code, in the vendor's shape (the shape does not matter to a client). */
  newCode(): string;
}

/**
 * The authorization-code flow's state in one sandbox: authorization requests shown on the consent
 * page (by ticket) and the codes they turned into, each redeemable once (RFC 6749 §4.1.2: "The client
 * MUST NOT use the authorization code more than once"), with PKCE checked (RFC 7636).
 */
export class AuthorizationCodes {
  private consents = new Map<string, ConsentRequest>();
  private codes = new Map<string, IssuedCode>();

  constructor(private readonly options: AuthorizationCodeOptions) {}

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
    const code = this.options.newCode();
    this.codes.set(code, { ...request, userId, expiresAt: this.options.clock() + this.options.ttlMs });
    return code;
  }

  /**
   * Redeems a code. The code is spent by the attempt, whatever its outcome: a second attempt finds
   * it gone. (RFC 6749 §10.5 wants codes short-lived and single-use; whether an org spends a code on
   * a refused attempt is not documented, and the stricter reading is the one a client must survive.)
   */
  redeem(params: {
    code: string | undefined;
    clientId: string;
    redirectUri: string | undefined;
    codeVerifier: string | undefined;
  }): CodeRedemption {
    const issued = params.code === undefined ? undefined : this.codes.get(params.code);
    if (params.code !== undefined) this.codes.delete(params.code);
    if (!issued || issued.clientId !== params.clientId) return { ok: false, reason: 'unknown' };
    if (issued.expiresAt <= this.options.clock()) return { ok: false, reason: 'expired' };
    // RFC 6749 §4.1.3: redirect_uri must be present and identical when the authorization request had it.
    if (params.redirectUri !== issued.redirectUri) return { ok: false, reason: 'redirect_mismatch' };
    if (issued.codeChallenge !== undefined) {
      if (!params.codeVerifier || !verifierMatches(params.codeVerifier, issued.codeChallenge))
        return { ok: false, reason: 'verifier_mismatch' };
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
