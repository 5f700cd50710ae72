import type { GuardedFetch, GuardedRequestInit } from '../../net/guarded-fetch.js';
import { UrlForbiddenError } from '../../net/outbound-url.js';
import { checkVendorUrl, SALESFORCE } from '../../net/vendor-urls.js';
import { InProcessRateLimiter, type RateLimiter } from '../kit/rate-limiter.js';
import {
  memoryTokenStore,
  type RefreshTokenSlot,
  TokenHolder,
  type TokenStore,
} from '../kit/token-holder.js';
import { CrmError } from '../types.js';
import { type SalesforceAuth, type SalesforceToken, tokenRequestBody } from './auth.js';
import { DAILY_LIMIT_BACKOFF_MS, networkError, oauthError } from './errors.js';

/** How the adapter speaks HTTP: the guarded client for stored connections, plain fetch in tests. */
export type HttpFetch = (url: string, init: GuardedRequestInit) => Promise<Response>;

/**
 * Where a connection's refresh token is kept between sign-ins. Orgs that rotate refresh tokens
 * invalidate the old one with each refresh, and every process signed in to the org reads and writes
 * the same stored token.
 */
export type RefreshTokenStore = RefreshTokenSlot;

export interface SalesforceSignInOptions {
  /** OAuth host: https://login.salesforce.com, a My Domain URL, or a sandbox's base URL. */
  loginUrl: string;
  auth: SalesforceAuth;
  timeoutMs?: number;
  /** The stored refresh token (refresh-token flow); without it the token lives in memory only. */
  refreshTokens?: RefreshTokenStore;
  /**
   * Where the session is shared with the connection's other processes (a lease and the sealed
   * session in the store); by default this process's memory, with `refreshTokens` for the refresh token.
   */
  store?: TokenStore<SalesforceToken>;
  /** The connection's request budget; by default Salesforce's, in this process. */
  limiter?: RateLimiter;
  /** Called with each new token, after a rotated refresh token is stored and before the token is used. */
  onToken?: (token: SalesforceToken) => void | Promise<void>;
  /**
   * The guarded client. With it, the token endpoint and every API call go through it, and the
   * instance URL a token answer names must be a Salesforce host (or allow-listed): a login URL that
   * answers with an internal instance URL must not turn the sync into a reader of internal services.
   */
  guarded?: GuardedFetch;
}

/**
 * The token holder of one connection, on the kit's {@link TokenHolder}: every transport of the
 * connection (setup, the connection test, each sync run) signs in through the same instance, so
 * there is one sign-in at a time in the process; with a shared store, one across processes too.
 * Each refresh starts from the stored refresh token, and a rotated one is stored before the new
 * access token is handed to anyone.
 */
export class SalesforceSignIn {
  private readonly holder: TokenHolder<SalesforceToken>;
  /** The HTTP client of this connection, shared with its transports. */
  readonly fetch: HttpFetch;
  /** The connection's request budget, shared with its transports. */
  readonly limiter: RateLimiter;

  constructor(private readonly options: SalesforceSignInOptions) {
    this.fetch = options.guarded ?? fetch;
    this.limiter = options.limiter ?? salesforceLimiter();
    this.holder = new TokenHolder((stored) => this.signIn(stored?.refreshToken), {
      store: options.store ?? memoryTokenStore<SalesforceToken>(options.refreshTokens),
      ...(options.onToken ? { onToken: options.onToken } : {}),
    });
  }

  /** The live token, signing in first if there is none. */
  current(): Promise<SalesforceToken> {
    return this.holder.current();
  }

  /**
   * Runs `call` with the live token; when its answer says the token was refused (`stale`), signs in
   * again once (one sign-in however many calls found the same token stale) and runs it once more.
   */
  withToken<R>(call: (token: SalesforceToken) => Promise<R>, stale: (result: R) => boolean): Promise<R> {
    return this.holder.withToken(call, stale);
  }

  /**
   * One sign-in in the connection's flow. A refresh token the org refuses as spent was rotated by a
   * process outside the lease (one running an older wasync): with a newer one stored, try that once.
   */
  private async signIn(refreshToken: string | undefined): Promise<SalesforceToken> {
    const { auth, refreshTokens } = this.options;
    if (auth.flow !== 'refresh_token') return this.requestToken(auth);
    const used = refreshToken ?? (await refreshTokens?.read()) ?? auth.refreshToken;
    try {
      return await this.requestToken({ ...auth, refreshToken: used });
    } catch (error) {
      const newer = isSpentGrant(error) ? await refreshTokens?.read() : undefined;
      if (newer === undefined || newer === used) throw error;
      return this.requestToken({ ...auth, refreshToken: newer });
    }
  }

  private async requestToken(auth: SalesforceAuth): Promise<SalesforceToken> {
    const loginUrl = this.options.loginUrl.replace(/\/$/, '');
    let response: Response;
    try {
      response = await this.fetch(`${loginUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: await tokenRequestBody(auth, loginUrl),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      // A login URL stored before the outbound rules, or one whose host now resolves to a local
      // address: no retry will change that, so the connection parks with the reason.
      if (error instanceof UrlForbiddenError)
        throw new CrmError({ kind: 'park', code: 'url_forbidden', message: error.message });
      throw networkError(error);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw oauthError(response.status, body);
    const token = toToken(body);
    if (this.options.guarded) checkInstanceUrl(token.instanceUrl, this.options.guarded);
    return token;
  }
}

/** Parks the connection when the token answer points the API calls at a host that is not Salesforce's. */
function checkInstanceUrl(instanceUrl: string, guarded: GuardedFetch): void {
  try {
    checkVendorUrl(instanceUrl, SALESFORCE, guarded.allow, 'instance_url');
  } catch (error) {
    throw new CrmError({
      kind: 'park',
      code: 'url_forbidden',
      message: `The token answer names an instance URL wasync will not call: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

function isSpentGrant(error: unknown): boolean {
  return error instanceof CrmError && error.code === 'invalid_grant';
}

function toToken(body: unknown): SalesforceToken {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { access_token: accessToken, instance_url: instanceUrl, refresh_token: refreshToken, id } = record;
  if (typeof accessToken !== 'string' || typeof instanceUrl !== 'string') {
    throw new CrmError({
      kind: 'retryable',
      code: 'BAD_TOKEN_RESPONSE',
      message: 'Salesforce sent a token answer without a token',
    });
  }
  return {
    accessToken,
    instanceUrl: instanceUrl.replace(/\/$/, ''),
    refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
    // https://login.salesforce.com/id/00D…/005… (OAuth token response: `id`, the identity URL).
    userId: typeof id === 'string' ? id.split('/').filter(Boolean).at(-1) : undefined,
  };
}

/**
 * Salesforce's budget per connection. The org counts its daily allocation and reports it in the
 * `Sforce-Limit-Info: api-usage=used/max` header of each answer (REST API Developer Guide, "Limit Info
 * Header"); an org may go past it for a while (its api-bursts), so only its refusal (403
 * REQUEST_LIMIT_EXCEEDED, "TotalRequests") stops the connection: then nothing is sent for the wait the
 * refusal sets, rather than spending a request to hear the refusal again. The org refuses more than
 * 25 long-running requests at once (App Limits Cheatsheet); wasync keeps to that many in flight.
 */
export function salesforceLimiter(options: { clock?: () => number } = {}): RateLimiter {
  return new InProcessRateLimiter(
    { concurrency: 25, spentRetryMs: DAILY_LIMIT_BACKOFF_MS },
    {
      ...options,
      spent: (retryAfterMs) =>
        new CrmError({
          kind: 'retryable',
          code: 'REQUEST_LIMIT_EXCEEDED',
          message: 'TotalRequests Limit exceeded.',
          retryAfterMs,
        }),
    },
  );
}
