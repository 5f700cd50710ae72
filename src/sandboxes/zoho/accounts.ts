import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationCodes } from '../kit/authorization-codes.js';
import { TokenStore } from '../kit/oauth-tokens.js';
import type { ResolvedZohoOptions, ZohoClient } from './options.js';

/** Token limits per refresh token (Zoho CRM API v8 "Token Validity"; Kaizen #43 "Tokens and limitations"). */
export const ACCESS_TOKEN_TTL_MS = 60 * 60 * 1000; // an access token lives one hour
export const MAX_LIVE_ACCESS_TOKENS = 15; // the 16th evicts the oldest
export const MAX_ACCESS_TOKENS_PER_WINDOW = 10; // ... per refresh token in 10 minutes
export const TOKEN_WINDOW_MS = 10 * 60 * 1000;
/** Refresh tokens per user and client; the 21st deletes the first and its access tokens (Kaizen #43). */
export const MAX_REFRESH_TOKENS = 20;
/**
 * A grant token (authorization code) is valid two minutes (Zoho Accounts OAuth, server-based apps,
 * "Get authorization code"; v8 "Token Validity" says three: the shorter one).
 */
const GRANT_TOKEN_TTL_MS = 2 * 60 * 1000;
/** Grant tokens per client in 10 minutes; past it, access_denied (v8 "Token Validity"). */
export const MAX_GRANT_TOKENS_PER_WINDOW = 10;

/** The user every consent signs in as; the sandbox has no login. */
export const SANDBOX_ZUID = 'sandbox-user';

interface RefreshState {
  clientId: string;
  /** Live access tokens of this refresh token, oldest first. */
  live: string[];
  /** When each access token of the last 10 minutes was issued. */
  issuedAt: number[];
  /** Token requests refused past the limit, ever: a client that keeps the limit never sees one. */
  denied: number;
  scope: string;
}

/**
 * The accounts server of one data centre: the consent page, the token endpoint and Zoho's token
 * limits. Errors of the token endpoint are HTTP 200 with `{"error": …}` (the crm-apis notes §2.8;
 * Kaizen #43: past a limit "the status code … remains 200" and the message says "Access Denied").
 */
export class ZohoAccounts {
  readonly tokens: TokenStore;
  readonly codes: AuthorizationCodes;
  private refresh = new Map<string, RefreshState>();
  /** access_type=offline per consent ticket, then per code: only those codes yield a refresh token. */
  private offline = new Set<string>();
  /** Clients the sandbox user granted offline access, whose next consent yields a refresh token only with prompt=consent. */
  private offlineGranted = new Set<string>();
  /** When each client's grant tokens of the last 10 minutes were issued. */
  private grants = new Map<string, number[]>();
  /** Makes access tokens distinct even when two are minted in the same instant. */
  private tokenCount = 0;

  constructor(private readonly options: ResolvedZohoOptions) {
    this.tokens = new TokenStore({
      ttlMs: ACCESS_TOKEN_TTL_MS,
      clock: options.clock,
      newAccessToken: () => `1000.${randomBytes(16).toString('hex')}.${(this.tokenCount++).toString(16)}`,
      newRefreshToken: () => `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`,
    });
    this.codes = new AuthorizationCodes({
      clock: options.clock,
      ttlMs: GRANT_TOKEN_TTL_MS,
      newCode: () => `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`,
    });
  }

  client(clientId: string | undefined): ZohoClient | undefined {
    return this.options.clients.find((client) => client.clientId === clientId);
  }

  /** A refresh token as the Self Client console would mint one (a server-to-server setup). */
  mintRefreshToken(clientId: string, scope: string): string {
    const token = this.tokens.mintRefreshToken(clientId, SANDBOX_ZUID);
    const ofClient = [...this.refresh.entries()].filter(([, state]) => state.clientId === clientId);
    if (ofClient.length >= MAX_REFRESH_TOKENS) {
      const [oldest, state] = ofClient[0] ?? [];
      if (oldest && state) {
        for (const access of state.live) this.tokens.revoke(access);
        this.refresh.delete(oldest);
      }
    }
    this.refresh.set(token, { clientId, live: [], issuedAt: [], denied: 0, scope });
    return token;
  }

  /** Counts a grant token against its client's window; false once 10 were issued in 10 minutes. */
  allowGrant(clientId: string): boolean {
    const now = this.options.clock();
    const recent = (this.grants.get(clientId) ?? []).filter((at) => at > now - TOKEN_WINDOW_MS);
    if (recent.length >= MAX_GRANT_TOKENS_PER_WINDOW) return false;
    this.grants.set(clientId, [...recent, now]);
    return true;
  }

  markOffline(key: string): void {
    this.offline.add(key);
  }

  takeOffline(key: string): boolean {
    return this.offline.delete(key);
  }

  /**
   * Whether an authorization request yields a refresh token: access_type=offline gives one the first
   * time; after that only with prompt=consent, which has the user consent again (Zoho Accounts OAuth,
   * server-based apps, "Get authorization code": `access_type`, `prompt`).
   */
  grantsRefreshToken(clientId: string, accessType: string | undefined, prompt: string | undefined): boolean {
    return accessType === 'offline' && (prompt === 'consent' || !this.offlineGranted.has(clientId));
  }

  offlineGrantedTo(clientId: string): void {
    this.offlineGranted.add(clientId);
  }

  /**
   * An access token for a refresh token, within the limits: refused ("Access Denied") once 10 were
   * issued in the last 10 minutes; the 16th live token evicts the oldest, which then answers
   * INVALID_TOKEN at the API (v8 "Token Validity").
   */
  issueFor(refreshToken: string, clientId: string): { accessToken: string; scope: string } | 'denied' {
    const state = this.refresh.get(refreshToken);
    if (!state) throw new Error('unknown refresh token');
    const now = this.options.clock();
    state.issuedAt = state.issuedAt.filter((at) => at > now - TOKEN_WINDOW_MS);
    if (state.issuedAt.length >= MAX_ACCESS_TOKENS_PER_WINDOW) {
      state.denied++;
      return 'denied';
    }
    state.issuedAt.push(now);
    const { accessToken } = this.tokens.issue(clientId, SANDBOX_ZUID);
    state.live = state.live.filter((token) => this.tokens.verify(token));
    state.live.push(accessToken);
    while (state.live.length > MAX_LIVE_ACCESS_TOKENS) {
      const oldest = state.live.shift();
      if (oldest) this.tokens.revoke(oldest);
    }
    return { accessToken, scope: state.scope };
  }

  knowsRefreshToken(token: string, clientId: string): boolean {
    return this.refresh.has(token) && this.tokens.redeemRefreshToken(clientId, token, false) !== undefined;
  }

  /**
   * Counts for the inspection routes, per refresh token: access tokens issued in the window, in all,
   * and requests refused past the limit.
   */
  toJSON() {
    const now = this.options.clock();
    return [...this.refresh.entries()].map(([token, state]) => ({
      refreshToken: `${token.slice(0, 12)}…`,
      live: state.live.filter((access) => this.tokens.verify(access)).length,
      issuedInWindow: state.issuedAt.filter((at) => at > now - TOKEN_WINDOW_MS).length,
      denied: state.denied,
    }));
  }

  reset(): void {
    this.tokens.reset();
    this.codes.reset();
    this.refresh.clear();
    this.offline.clear();
    this.offlineGranted.clear();
    this.grants.clear();
  }
}

/**
 * The token endpoint's refusal past the 10-in-10-minutes limit. HTTP 200 with "Access Denied" is
 * documented (v8 "Token Validity"; Kaizen #43); the exact keys are not: the sandbox answers
 * `error: "Access Denied"` with an `error_description` and `status: "failure"` (unverified, as
 * clients report seeing it), so a client must read the body, not the status.
 */
export const ACCESS_DENIED = {
  error_description: 'You have made too many requests continuously. Please try again after some time.',
  error: 'Access Denied',
  status: 'failure',
};

/**
 * `GET /oauth/v2/auth` and `POST /oauth/v2/token` (Zoho Accounts OAuth 2.0, web apps: authorization
 * request, access token, refresh access token).
 */
export function accountsRoutes(accounts: ZohoAccounts, options: ResolvedZohoOptions) {
  return async (app: FastifyInstance) => {
    app.get('/oauth/v2/auth', async (request, reply) => {
      const query = stringsOf(request.query);
      const client = accounts.client(query.client_id);
      // An unknown client or an unregistered redirect URI is shown on the page, never redirected to
      // (RFC 6749 §4.1.2.1; Zoho's wording of the page is unverified).
      if (!client) return errorPage(reply, 'invalid_client', 'No client is registered with this client_id.');
      const redirectUri = query.redirect_uri;
      if (
        !redirectUri ||
        !/^https?:\/\//.test(redirectUri) ||
        (client.redirectUris && !client.redirectUris.includes(redirectUri))
      )
        return errorPage(
          reply,
          'invalid_redirect_uri',
          'The redirect_uri is not registered for this client.',
        );
      if (query.response_type !== 'code')
        return redirect(reply, redirectUri, { error: 'unsupported_response_type' }, query.state);
      if (!query.scope) return redirect(reply, redirectUri, { error: 'invalid_scope' }, query.state);
      // PKCE is optional for server-based apps (Zoho Accounts OAuth, "Server-based apps - Overview");
      // with a challenge, `code_challenge_method` is S256 or plain, plain by default ("Mobile-based
      // apps", "Get authorization code"). The sandbox takes S256 only, and a challenge without its
      // method is refused rather than read as plain (unverified: the stricter reading).
      if (query.code_challenge !== undefined && query.code_challenge_method !== 'S256')
        return redirect(
          reply,
          redirectUri,
          { error: 'invalid_request', error_description: 'code_challenge_method must be S256' },
          query.state,
        );
      const ticket = accounts.codes.awaitConsent({
        clientId: client.clientId,
        redirectUri,
        state: query.state,
        scope: query.scope,
        codeChallenge: query.code_challenge,
      });
      if (accounts.grantsRefreshToken(client.clientId, query.access_type, query.prompt))
        accounts.markOffline(ticket);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(consentPage(client.clientId, query.scope, ticket));
    });

    /**
     * The consent form's answer. Accept redirects with `code`, `location` (the data centre) and
     * `accounts-server` (this server), which a client must use for the token call (Zoho Accounts,
     * "Multi DC support"); Reject redirects with `error=access_denied`.
     */
    app.post('/oauth/v2/auth', async (request, reply) => {
      const form = stringsOf(request.body);
      const consent = form.ticket ? accounts.codes.takeConsent(form.ticket) : undefined;
      if (!consent || !form.ticket)
        return errorPage(reply, 'invalid_request', 'This authorization request is over; start again.');
      const offline = accounts.takeOffline(form.ticket);
      if (form.decision !== 'accept' || !accounts.allowGrant(consent.clientId))
        return redirect(reply, consent.redirectUri, { error: 'access_denied' }, consent.state);
      const code = accounts.codes.issue(consent, SANDBOX_ZUID);
      if (offline) accounts.markOffline(code);
      return redirect(
        reply,
        consent.redirectUri,
        { code, location: options.dataCentre, 'accounts-server': ownUrl(request) },
        consent.state,
      );
    });

    app.post('/oauth/v2/token', async (request) => {
      // Zoho's docs send the parameters in the query string; a form body works alike.
      const params = { ...stringsOf(request.query), ...stringsOf(request.body) };
      const client = accounts.client(params.client_id);
      // Error names (invalid_client, invalid_code, unsupported_grant_type): the crm-apis notes §2.8
      // name invalid_code; the rest follow RFC 6749 §5.2 (unverified for Zoho).
      if (!client) return { error: 'invalid_client' };
      if (params.client_secret !== client.clientSecret) return { error: 'invalid_client' };
      const answer = (accessToken: string, scope: string, refreshToken?: string) => ({
        access_token: accessToken,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
        scope,
        api_domain: ownUrl(request),
        token_type: 'Bearer',
        expires_in: ACCESS_TOKEN_TTL_MS / 1000,
      });
      if (params.grant_type === 'authorization_code') {
        const code = params.code;
        const offline = code ? accounts.takeOffline(code) : false;
        const redeemed = accounts.codes.redeem({
          code,
          clientId: client.clientId,
          redirectUri: params.redirect_uri,
          codeVerifier: params.code_verifier,
        });
        // A grant token is single-use and lives three minutes (v8 "Token Validity").
        if (!redeemed.ok) return { error: 'invalid_code' };
        const refreshToken = accounts.mintRefreshToken(client.clientId, redeemed.scope);
        const issued = accounts.issueFor(refreshToken, client.clientId);
        if (issued === 'denied') return ACCESS_DENIED;
        // Without access_type=offline (or past the first offline consent, without prompt=consent)
        // the app gets no refresh token (Zoho Accounts: online access).
        if (offline) accounts.offlineGrantedTo(client.clientId);
        return answer(issued.accessToken, issued.scope, offline ? refreshToken : undefined);
      }
      if (params.grant_type === 'refresh_token') {
        const token = params.refresh_token;
        if (!token || !accounts.knowsRefreshToken(token, client.clientId)) return { error: 'invalid_code' };
        const issued = accounts.issueFor(token, client.clientId);
        if (issued === 'denied') return ACCESS_DENIED;
        return answer(issued.accessToken, issued.scope);
      }
      return { error: 'unsupported_grant_type' };
    });
  };
}

/** The sandbox's own base URL as the client reached it: the `api_domain` and `accounts-server` it answers. */
export function ownUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function stringsOf(value: unknown): Record<string, string | undefined> {
  const strings: Record<string, string | undefined> = {};
  if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) if (typeof item === 'string') strings[key] = item;
  return strings;
}

function redirect(
  reply: FastifyReply,
  redirectUri: string,
  params: Record<string, string>,
  state: string | undefined,
) {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  if (state !== undefined) target.searchParams.set('state', state);
  return reply.redirect(target.toString(), 302);
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function consentPage(clientId: string, scope: string, ticket: string): string {
  const scopes = scope
    .split(/[ ,]+/)
    .filter(Boolean)
    .map((item) => `<li><code>${escapeHtml(item)}</code></li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zoho sandbox: allow access</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>Allow access to the Zoho CRM sandbox?</h1>
<p>The application <code>${escapeHtml(clientId)}</code> asks to use your sandbox org with these scopes:</p>
<ul>${scopes}</ul>
<form method="post" action="/oauth/v2/auth">
<input type="hidden" name="ticket" value="${escapeHtml(ticket)}">
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="reject">Reject</button>
</form>
<p><small>Local sandbox for tests and demos; not Zoho.</small></p>
</body></html>`;
}

function errorPage(reply: FastifyReply, error: string, description: string) {
  return reply
    .status(400)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(error)}</title></head>
<body style="font-family: sans-serif"><h1>${escapeHtml(error)}</h1><p>${escapeHtml(description)}</p></body></html>`);
}
