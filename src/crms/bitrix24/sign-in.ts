import type { GuardedFetch, GuardedRequestInit } from '../../net/guarded-fetch.js';
import { UrlForbiddenError } from '../../net/outbound-url.js';
import { BITRIX24, checkVendorUrl } from '../../net/vendor-urls.js';
import { networkFailure } from '../kit/errors.js';
import type { RateLimiter } from '../kit/rate-limiter.js';
import { memoryTokenStore, TokenHolder, type TokenStore } from '../kit/token-holder.js';
import { CrmError } from '../types.js';
import { type Bitrix24Token, refreshUrl, toBitrix24Token, tokenAnswerError } from './auth.js';

/** How the adapter speaks HTTP: the guarded client for stored connections, plain fetch in tests. */
export type HttpFetch = (url: string, init: GuardedRequestInit) => Promise<Response>;

/** Where one call goes: the REST address (ending in `/`) and, for an application, its access token. */
export interface Bitrix24Endpoint {
  base: string;
  /** The `auth` parameter of an application's call; undefined for a webhook (its secret is in `base`). */
  auth: string | undefined;
}

/**
 * How a connection reaches its portal: an inbound webhook or an application's OAuth session. Either
 * way every call goes through `limiter` (the portal's bucket) and `fetch`.
 */
export interface Bitrix24Access {
  /** The portal's address (https://company.bitrix24.com): record pages are under it. */
  readonly portalUrl: string;
  readonly fetch: HttpFetch;
  readonly limiter: RateLimiter;
  /** Token requests sent (for the benchmark and the token tests); always 0 for a webhook. */
  readonly refreshCount: number;
  /**
   * Runs `call` at the endpoint; when it answers `stale` (401 expired_token), renews the session once
   * and runs it once more. A webhook is never stale.
   */
  withEndpoint<R>(
    call: (endpoint: Bitrix24Endpoint) => Promise<R>,
    stale: (result: R) => boolean,
  ): Promise<R>;
}

/**
 * An inbound webhook (`local-integrations/local-webhooks.md`): `https://{portal}/rest/{userId}/{secret}/`,
 * the methods called under it as its user, within its scopes. Nothing to renew.
 */
export class WebhookAccess implements Bitrix24Access {
  readonly portalUrl: string;
  readonly refreshCount = 0;
  private readonly base: string;

  constructor(
    webhookUrl: string,
    readonly limiter: RateLimiter,
    readonly fetch: HttpFetch = globalThis.fetch,
  ) {
    const parsed = parseWebhookUrl(webhookUrl);
    this.portalUrl = parsed.portalUrl;
    this.base = `${parsed.portalUrl}/rest/${parsed.userId}/${parsed.secret}/`;
  }

  withEndpoint<R>(call: (endpoint: Bitrix24Endpoint) => Promise<R>): Promise<R> {
    return call({ base: this.base, auth: undefined });
  }
}

/** A webhook URL's parts, or undefined when it is not `{portal}/rest/{userId}/{secret}/`. */
export function parseWebhookUrl(raw: string): { portalUrl: string; userId: string; secret: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new TypeError('not a URL');
  }
  // The copy the portal shows ends at the secret (or names a method after it): both are taken.
  const match = /^\/rest\/(\d+)\/([A-Za-z0-9]+)(?:\/[^/]*)?\/?$/.exec(url.pathname);
  if (!match?.[1] || !match[2] || url.search !== '' || url.hash !== '')
    throw new TypeError('a webhook URL reads https://{portal}/rest/{user id}/{secret}/');
  return { portalUrl: url.origin, userId: match[1], secret: match[2] };
}

export interface OAuthAccessOptions {
  /** The portal's address, for record pages (the calls go to the token's client_endpoint). */
  portalUrl: string;
  /** Where the refresh grant goes: https://oauth.bitrix.info, or a sandbox's URL. */
  oauthServer: string;
  clientId: string;
  clientSecret: string;
  /** The refresh token stored with the connection; a rotated one is written through `store`. */
  refreshToken: string;
  limiter: RateLimiter;
  store?: TokenStore<Bitrix24Token> | undefined;
  /** With it, the token request and every call go through it, and client_endpoint must be Bitrix24's. */
  guarded?: GuardedFetch | undefined;
  timeoutMs?: number | undefined;
}

/**
 * A local application's session on the kit's {@link TokenHolder}: one refresh at a time across every
 * process of the connection, and only when the portal says `expired_token` (the docs warn that renewing
 * on a schedule or before calls can get the application blocked: `settings/oauth/auto-renewal.md`).
 * Each refresh answers a new refresh token, stored before the new access token is used.
 */
export class OAuthAccess implements Bitrix24Access {
  readonly portalUrl: string;
  readonly fetch: HttpFetch;
  readonly limiter: RateLimiter;
  refreshCount = 0;
  private readonly holder: TokenHolder<Bitrix24Token>;

  constructor(private readonly options: OAuthAccessOptions) {
    this.portalUrl = options.portalUrl.replace(/\/+$/, '');
    this.fetch = options.guarded ?? globalThis.fetch;
    this.limiter = options.limiter;
    this.holder = new TokenHolder((stored) => this.refresh(stored), {
      store: options.store ?? memoryTokenStore<Bitrix24Token>(),
    });
  }

  async withEndpoint<R>(
    call: (endpoint: Bitrix24Endpoint) => Promise<R>,
    stale: (result: R) => boolean,
  ): Promise<R> {
    return this.holder.withToken(
      (token) => call({ base: token.clientEndpoint, auth: token.accessToken }),
      stale,
    );
  }

  /** Runs inside the store's lease: the stored session's refresh token is the one to spend. */
  private async refresh(stored: Bitrix24Token | undefined): Promise<Bitrix24Token> {
    const { oauthServer, clientId, clientSecret } = this.options;
    const refreshToken = stored?.refreshToken ?? this.options.refreshToken;
    this.refreshCount++;
    let response: Response;
    try {
      response = await this.fetch(refreshUrl(oauthServer, { clientId, clientSecret, refreshToken }), {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      if (error instanceof UrlForbiddenError)
        throw new CrmError({ kind: 'park', code: 'url_forbidden', message: error.message });
      throw networkFailure('Bitrix24', error);
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    const refused = tokenAnswerError(body ?? {}, response.status);
    if (refused) throw refused;
    const token = toBitrix24Token(body);
    if (this.options.guarded) checkClientEndpoint(token.clientEndpoint, this.options.guarded);
    // A refresh that rotated nothing keeps the token it spent.
    return { ...token, refreshToken: token.refreshToken ?? refreshToken };
  }
}

/** Parks the connection when a token answer points the calls at a host that is not Bitrix24's. */
function checkClientEndpoint(endpoint: string, guarded: GuardedFetch): void {
  try {
    checkVendorUrl(endpoint.replace(/\/rest\/$/, ''), BITRIX24, guarded.allow, 'client_endpoint');
  } catch (error) {
    throw new CrmError({
      kind: 'park',
      code: 'url_forbidden',
      message: `The token answer names a REST address wasync will not call: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
