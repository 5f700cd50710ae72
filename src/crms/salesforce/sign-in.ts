import { setTimeout as sleep } from 'node:timers/promises';
import type { GuardedFetch, GuardedRequestInit } from '../../net/guarded-fetch.js';
import { UrlForbiddenError } from '../../net/outbound-url.js';
import { checkVendorUrl, SALESFORCE } from '../../net/vendor-urls.js';
import { CrmError } from '../types.js';
import { type SalesforceAuth, type SalesforceToken, tokenRequestBody } from './auth.js';
import { networkError, oauthError } from './errors.js';

/** How the adapter speaks HTTP: the guarded client for stored connections, plain fetch in tests. */
export type HttpFetch = (url: string, init: GuardedRequestInit) => Promise<Response>;

/**
 * Where a connection's refresh token is kept between sign-ins. Orgs that rotate refresh tokens
 * invalidate the old one with each refresh, and every process signed in to the org reads and writes
 * the same stored token.
 */
export interface RefreshTokenStore {
  /** The refresh token as stored now: another process may have rotated it since we last looked. */
  read(): Promise<string | undefined>;
  /** Stores a rotated refresh token; resolves once it is durable. */
  write(refreshToken: string): Promise<void>;
}

export interface SalesforceSignInOptions {
  /** OAuth host: https://login.salesforce.com, a My Domain URL, or a sandbox's base URL. */
  loginUrl: string;
  auth: SalesforceAuth;
  timeoutMs?: number;
  /** The stored refresh token (refresh-token flow); without it the token lives in memory only. */
  refreshTokens?: RefreshTokenStore;
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
 * After a refresh with a token another process has just spent, how long to wait for that process to
 * store the rotated one: it stores it as soon as its answer arrives, so this is a few round trips.
 */
const ROTATION_WAITS_MS = [50, 100, 200, 400, 800, 1_600];

/** Refreshes per sign-in: processes racing each other may each spend the token the other just read. */
const REFRESH_ATTEMPTS = 4;

/**
 * The token holder of one connection: every transport of the connection (setup, the connection
 * test, each sync run) signs in through the same instance, so there is one sign-in at a time and
 * one live token per process. With a refresh token, each refresh starts from the stored token, and
 * a rotated one is stored before the new access token is handed to anyone.
 */
export class SalesforceSignIn {
  private token: Promise<SalesforceToken> | undefined;
  private refreshToken: string | undefined;
  /** The HTTP client of this connection, shared with its transports. */
  readonly fetch: HttpFetch;

  constructor(private readonly options: SalesforceSignInOptions) {
    this.refreshToken = options.auth.flow === 'refresh_token' ? options.auth.refreshToken : undefined;
    this.fetch = options.guarded ?? fetch;
  }

  /** The live token, signing in first if there is none. */
  current(): Promise<SalesforceToken> {
    this.token ??= this.signIn();
    return this.token;
  }

  /** Renews once per stale token: requests that failed with the same token share one sign-in. */
  async renew(stale: SalesforceToken): Promise<SalesforceToken> {
    const current = this.token ? await this.token.catch(() => undefined) : undefined;
    if (current && current.accessToken !== stale.accessToken) return current;
    this.token = this.signIn();
    return this.token;
  }

  private async signIn(): Promise<SalesforceToken> {
    try {
      const token =
        this.options.auth.flow === 'refresh_token'
          ? await this.refresh()
          : await this.requestToken(this.options.auth);
      await this.options.onToken?.(token);
      return token;
    } catch (error) {
      this.token = undefined;
      throw error;
    }
  }

  /**
   * Refreshes from the stored token. When the org refuses it as spent, another process rotated it a
   * moment ago: wait for that process to store the new one, and refresh with that.
   */
  private async refresh(): Promise<SalesforceToken> {
    const { auth, refreshTokens } = this.options;
    if (auth.flow !== 'refresh_token') throw new Error('not the refresh-token flow');
    let used = (await refreshTokens?.read()) ?? this.refreshToken ?? auth.refreshToken;
    for (let attempt = 1; ; attempt++) {
      try {
        const token = await this.requestToken({ ...auth, refreshToken: used });
        // A rotated token is stored before the access token is used: a crash right after must not
        // leave the store holding the spent one (OAuth 2.0 Refresh Token Flow, refresh token rotation).
        if (token.refreshToken && token.refreshToken !== used) await refreshTokens?.write(token.refreshToken);
        this.refreshToken = token.refreshToken ?? used;
        return token;
      } catch (error) {
        const retry = attempt < REFRESH_ATTEMPTS && isSpentGrant(error);
        const newer = retry ? await this.newerStoredToken(used) : undefined;
        if (newer === undefined) throw error;
        used = newer;
      }
    }
  }

  /** The stored refresh token once it differs from `spent`, or undefined when it does not in time. */
  private async newerStoredToken(spent: string): Promise<string | undefined> {
    const store = this.options.refreshTokens;
    if (!store) return undefined;
    for (const waitMs of [0, ...ROTATION_WAITS_MS]) {
      if (waitMs > 0) await sleep(waitMs);
      const stored = await store.read();
      if (stored !== undefined && stored !== spent) return stored;
    }
    return undefined;
  }

  private async requestToken(auth: SalesforceAuth): Promise<SalesforceToken> {
    const loginUrl = this.options.loginUrl.replace(/\/$/, '');
    let response: Response;
    try {
      response = await this.fetch(`${loginUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: tokenRequestBody(auth, loginUrl),
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
