import type { GuardedFetch, GuardedRequestInit } from '../../net/guarded-fetch.js';
import { UrlForbiddenError } from '../../net/outbound-url.js';
import { checkVendorUrl, ZOHO } from '../../net/vendor-urls.js';
import { networkFailure } from '../kit/errors.js';
import type { RateLimiter } from '../kit/rate-limiter.js';
import { memoryTokenStore, TokenHolder, type TokenStore } from '../kit/token-holder.js';
import { CrmError } from '../types.js';
import {
  REFRESH_WINDOW_MS,
  REFRESHES_PER_WINDOW,
  refreshRequestBody,
  tokenAnswerError,
  toZohoToken,
  type ZohoToken,
} from './auth.js';
import { zohoLimiter } from './limits.js';

/** How the adapter speaks HTTP: the guarded client for stored connections, plain fetch in tests. */
export type HttpFetch = (url: string, init: GuardedRequestInit) => Promise<Response>;

export interface ZohoSignInOptions {
  /** The data centre's accounts server (https://accounts.zoho.eu), or a sandbox's URL. */
  accountsUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Where the session is shared with the connection's other processes; by default this process's memory. */
  store?: TokenStore<ZohoToken> | undefined;
  /** The connection's request budget; by default Zoho's for an Enterprise org, in this process. */
  limiter?: RateLimiter | undefined;
  /** With it, the token endpoint and every API call go through it, and `api_domain` must be Zoho's. */
  guarded?: GuardedFetch | undefined;
  timeoutMs?: number | undefined;
  clock?: () => number;
}

/**
 * The token holder of one Zoho connection, on the kit's {@link TokenHolder}: one refresh at a time
 * across every process of the connection (the store's lease), an access token used for the hour it
 * lives, and never more than Zoho's ten tokens per refresh token in ten minutes: each refresh is
 * recorded in the shared session before it is asked for, and one that would be the eleventh waits
 * (a retryable error saying how long) rather than being refused.
 */
export class ZohoSignIn {
  private readonly holder: TokenHolder<ZohoToken>;
  private readonly store: TokenStore<ZohoToken>;
  readonly fetch: HttpFetch;
  readonly limiter: RateLimiter;
  private readonly clock: () => number;
  /** Token requests sent (for the benchmark and the token-budget tests). */
  refreshCount = 0;

  constructor(private readonly options: ZohoSignInOptions) {
    this.fetch = options.guarded ?? fetch;
    this.limiter = options.limiter ?? zohoLimiter('enterprise');
    this.clock = options.clock ?? Date.now;
    this.store = options.store ?? memoryTokenStore<ZohoToken>();
    this.holder = new TokenHolder((stored) => this.refresh(stored), { store: this.store, clock: this.clock });
  }

  current(): Promise<ZohoToken> {
    return this.holder.current();
  }

  withToken<R>(call: (token: ZohoToken) => Promise<R>, stale: (result: R) => boolean): Promise<R> {
    return this.holder.withToken(call, stale);
  }

  /** Runs inside the store's lease: no other holder of the connection refreshes meanwhile. */
  private async refresh(stored: ZohoToken | undefined): Promise<ZohoToken> {
    const now = this.clock();
    const recent = (stored?.refreshes ?? [])
      .filter((at) => at > now - REFRESH_WINDOW_MS)
      .sort((a, b) => a - b);
    if (recent.length >= REFRESHES_PER_WINDOW) {
      const oldest = recent[recent.length - REFRESHES_PER_WINDOW] ?? now;
      throw new CrmError({
        kind: 'retryable',
        code: 'TOKEN_BUDGET',
        message: `Zoho issues at most ${REFRESHES_PER_WINDOW} access tokens per refresh token in 10 minutes; waiting for room`,
        retryAfterMs: oldest + REFRESH_WINDOW_MS - now,
      });
    }
    const refreshes = [...recent, now];
    // Recorded before it is asked for: a request whose answer is lost may still have counted at Zoho.
    // The spent session stays unusable (expired) until the answer replaces it.
    await this.store.write({
      ...(stored ?? { accessToken: '', apiDomain: '' }),
      expiresAt: 0,
      refreshes,
    });
    const token = await this.requestToken();
    return { ...token, refreshes };
  }

  private async requestToken(): Promise<ZohoToken> {
    const { accountsUrl, clientId, clientSecret, refreshToken } = this.options;
    this.refreshCount++;
    let response: Response;
    try {
      response = await this.fetch(`${accountsUrl.replace(/\/+$/, '')}/oauth/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: refreshRequestBody({ clientId, clientSecret, refreshToken }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      if (error instanceof UrlForbiddenError)
        throw new CrmError({ kind: 'park', code: 'url_forbidden', message: error.message });
      throw networkFailure('Zoho', error);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    const refused = tokenAnswerError(body ?? {}, response.status);
    if (refused) throw refused;
    const token = toZohoToken(body, this.clock());
    if (this.options.guarded) checkApiDomain(token.apiDomain, this.options.guarded);
    return token;
  }
}

/** Parks the connection when a token answer points the API calls at a host that is not Zoho's. */
function checkApiDomain(apiDomain: string, guarded: GuardedFetch): void {
  try {
    checkVendorUrl(apiDomain, ZOHO, guarded.allow, 'api_domain');
  } catch (error) {
    throw new CrmError({
      kind: 'park',
      code: 'url_forbidden',
      message: `The token answer names an API domain wasync will not call: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
