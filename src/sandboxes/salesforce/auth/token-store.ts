import { createHmac, randomBytes } from 'node:crypto';

interface AccessGrant {
  clientId: string;
  userId: string;
  expiresAt: number;
}

/** What the token endpoint hands out, before the route adds URLs. */
export interface IssuedToken {
  accessToken: string;
  issuedAt: string;
}

/**
 * Access and refresh tokens of one sandbox org. Access tokens look like an org's (`00D…!AQ…`) and
 * expire after the configured lifetime; the API then answers 401 as a timed-out session does.
 */
export class TokenStore {
  private access = new Map<string, AccessGrant>();
  private refresh = new Map<string, { clientId: string; userId: string }>();

  constructor(
    private readonly orgId: string,
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  issue(clientId: string, userId: string): IssuedToken {
    const accessToken = `${this.orgId.slice(0, 15)}!AQ${randomBytes(72).toString('base64url')}`;
    const now = this.clock();
    this.access.set(accessToken, { clientId, userId, expiresAt: now + this.ttlMs });
    return { accessToken, issuedAt: String(now) };
  }

  /** The grant behind a bearer token, or undefined when unknown or expired. */
  verify(accessToken: string): AccessGrant | undefined {
    const grant = this.access.get(accessToken);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.clock()) {
      this.access.delete(accessToken);
      return undefined;
    }
    return grant;
  }

  mintRefreshToken(clientId: string, userId: string): string {
    const token = `5Aep${randomBytes(60).toString('base64url')}`;
    this.refresh.set(token, { clientId, userId });
    return token;
  }

  /**
   * Exchanges a refresh token. With rotation the old token dies and a new one comes back, so a client
   * that fails to persist the new one is locked out, as with a rotating connected app. Without
   * rotation no refresh token comes back: the client keeps the one it has.
   * (Salesforce Help, "OAuth 2.0 Refresh Token Flow for Renewed Sessions": with refresh token
   * rotation enabled "the connected app issues a new refresh token along with the access token each
   * time the flow is invoked. The previous refresh token is automatically invalidated"; the doc's
   * response example without rotation carries no refresh_token.)
   */
  redeemRefreshToken(
    clientId: string,
    token: string,
    rotate: boolean,
  ): { userId: string; rotatedRefreshToken: string | undefined } | undefined {
    const grant = this.refresh.get(token);
    if (!grant || grant.clientId !== clientId) return undefined;
    if (!rotate) return { userId: grant.userId, rotatedRefreshToken: undefined };
    this.refresh.delete(token);
    return { userId: grant.userId, rotatedRefreshToken: this.mintRefreshToken(clientId, grant.userId) };
  }

  /** Ends every session now; refresh tokens survive, as when an admin clears sessions. */
  expireAll(): number {
    const count = this.access.size;
    this.access.clear();
    return count;
  }

  reset(): void {
    this.access.clear();
    this.refresh.clear();
  }
}

/** The token response's `signature`: HMAC-SHA256 of id + issued_at keyed by the client secret. */
export function tokenSignature(clientSecret: string, identityUrl: string, issuedAt: string): string {
  return createHmac('sha256', clientSecret)
    .update(identityUrl + issuedAt)
    .digest('base64');
}
