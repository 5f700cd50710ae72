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

/** What differs between vendors: token lifetimes and what tokens look like. */
export interface TokenStoreOptions {
  ttlMs: number;
  clock: () => number;
  newAccessToken(): string;
  newRefreshToken(): string;
}

/**
 * Access and refresh tokens of one sandbox (an org, a portal, an accounts server). Access tokens
 * expire after the configured lifetime; the API then answers as the vendor answers a dead session.
 */
export class TokenStore {
  private access = new Map<string, AccessGrant>();
  private refresh = new Map<string, { clientId: string; userId: string }>();

  constructor(private readonly options: TokenStoreOptions) {}

  issue(clientId: string, userId: string): IssuedToken {
    const accessToken = this.options.newAccessToken();
    const now = this.options.clock();
    this.access.set(accessToken, { clientId, userId, expiresAt: now + this.options.ttlMs });
    return { accessToken, issuedAt: String(now) };
  }

  /** The grant behind a bearer token, or undefined when unknown or expired. */
  verify(accessToken: string): AccessGrant | undefined {
    const grant = this.access.get(accessToken);
    if (!grant) return undefined;
    if (grant.expiresAt <= this.options.clock()) {
      this.access.delete(accessToken);
      return undefined;
    }
    return grant;
  }

  /** Ends one session now, as a vendor does when it evicts a token; false when it was not live. */
  revoke(accessToken: string): boolean {
    return this.access.delete(accessToken);
  }

  mintRefreshToken(clientId: string, userId: string): string {
    const token = this.options.newRefreshToken();
    this.refresh.set(token, { clientId, userId });
    return token;
  }

  /**
   * Exchanges a refresh token. With rotation the old token dies and a new one comes back, so a client
   * that fails to persist the new one is locked out; without rotation no refresh token comes back and
   * the client keeps the one it has. Which a vendor does is its sandbox's choice, cited there.
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
