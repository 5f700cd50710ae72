import { randomBytes } from 'node:crypto';
import { AuthorizationCodes } from '../kit/authorization-codes.js';
import { TokenStore } from '../kit/oauth-tokens.js';
import { Bitrix24Error } from './method.js';
import type { Bitrix24Application, Bitrix24Webhook, ResolvedBitrix24Options } from './options.js';

/** Who a call runs as, once its webhook or token is accepted. */
export interface Caller {
  userId: number;
  scopes: string[];
  /** `webhook` or `token`: the insufficient_scope text names which (system-errors.md). */
  via: 'webhook' | 'token';
}

/** The user a consent signs in as: the sandbox has no login, the portal's administrator consents. */
export const PORTAL_ADMIN_ID = 1;

const lowerAlnum = (length: number) =>
  Array.from(randomBytes(length), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');

/**
 * The portal's credentials: its inbound webhooks and its local applications' OAuth state (consents,
 * codes, tokens). A code lives 30 seconds and the access token an hour (settings/oauth/index.md);
 * a refresh answers a new refresh token (settings/oauth/auto-renewal.md, "new value") and the old one
 * dies (unverified: the stricter reading). Refresh tokens do not expire here (180 days in the docs).
 */
export class PortalCredentials {
  readonly webhooks: Bitrix24Webhook[];
  readonly codes: AuthorizationCodes;
  readonly tokens: TokenStore;
  /** Every access token issued, so one past its hour answers expired_token, not invalid_token. */
  private readonly issued = new Set<string>();

  constructor(private readonly options: ResolvedBitrix24Options) {
    this.webhooks = options.webhooks.map((webhook) => ({ ...webhook }));
    this.codes = new AuthorizationCodes({
      clock: options.clock,
      ttlMs: 30_000,
      newCode: () => lowerAlnum(32),
    });
    this.tokens = new TokenStore({
      clock: options.clock,
      ttlMs: options.accessTokenTtlMs,
      newAccessToken: () => lowerAlnum(32),
      newRefreshToken: () => lowerAlnum(32),
    });
  }

  application(clientId: string | undefined): Bitrix24Application | undefined {
    return this.options.applications.find((app) => app.clientId === clientId);
  }

  addWebhook(webhook: Omit<Bitrix24Webhook, 'secret'> & { secret?: string | undefined }): Bitrix24Webhook {
    const added = { ...webhook, secret: webhook.secret ?? lowerAlnum(16) };
    const index = this.webhooks.findIndex(
      (known) => known.userId === added.userId && known.secret === added.secret,
    );
    if (index >= 0) this.webhooks.splice(index, 1);
    this.webhooks.push(added);
    return added;
  }

  /**
   * A webhook call's caller. No active webhook with this user and secret (unknown, or past its
   * expiry, which "returns an authorization error": local-integrations/local-webhooks.md) is 401
   * INVALID_CREDENTIALS (_includes/system-errors.md).
   */
  webhookCaller(userId: string, secret: string): Caller {
    const now = this.options.clock();
    const webhook = this.webhooks.find(
      (known) =>
        String(known.userId) === userId &&
        known.secret === secret &&
        (known.expiresAt === undefined || known.expiresAt > now),
    );
    if (!webhook) throw new Bitrix24Error(401, 'INVALID_CREDENTIALS', 'Invalid request credentials');
    return { userId: webhook.userId, scopes: webhook.scopes, via: 'webhook' };
  }

  /**
   * An OAuth call's caller from its `auth` parameter. None is 401 NO_AUTH_FOUND, an expired token 401
   * expired_token (_includes/system-errors.md); a token the portal never issued 401 invalid_token
   * (the crm-apis notes §3.6; unverified: the docs list no code for it). The sandbox keeps expired
   * tokens' grants apart from unknown ones, so each answers its own code.
   */
  tokenCaller(auth: unknown): Caller {
    if (typeof auth !== 'string' || auth === '')
      throw new Bitrix24Error(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    const grant = this.tokens.verify(auth);
    if (!grant) {
      if (this.issued.has(auth))
        throw new Bitrix24Error(401, 'expired_token', 'The access token provided has expired.');
      throw new Bitrix24Error(401, 'invalid_token', 'The access token provided is invalid.');
    }
    const app = this.application(grant.clientId);
    return { userId: Number(grant.userId), scopes: app?.scopes ?? [], via: 'token' };
  }

  issueAccessToken(clientId: string, userId: number): string {
    const { accessToken } = this.tokens.issue(clientId, String(userId));
    this.issued.add(accessToken);
    return accessToken;
  }

  /** Every access token dies now (refresh tokens live on): the next call answers expired_token. */
  expireAccessTokens(): number {
    return this.tokens.expireAll();
  }

  reset(): void {
    this.webhooks.splice(
      0,
      this.webhooks.length,
      ...this.options.webhooks.map((webhook) => ({ ...webhook })),
    );
    this.codes.reset();
    this.tokens.reset();
    this.issued.clear();
  }
}
