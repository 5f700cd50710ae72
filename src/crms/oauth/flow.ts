import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { SecretBox } from '../../core/secret-box.js';
import type { GuardedFetch } from '../../net/guarded-fetch.js';
import {
  type OAuthRepository,
  oauthAppContext,
  oauthRequestContext,
} from '../../store/repositories/oauth.js';
import type { ConnectionService, ConnectionView } from '../connections.js';
import type { OAuthEndpoints, OAuthProvider } from './provider.js';

/** How long an admin has between "Connect" and coming back from the CRM. */
export const OAUTH_REQUEST_TTL_MS = 10 * 60_000;

/** The admin a sign-in belongs to: their browser session. */
export interface OAuthSession {
  sessionId: string;
  userId: string;
  workspaceId: string;
}

/** What `GET /oauth/{kind}/app` shows: never the secret. */
export interface OAuthAppView {
  kind: string;
  configured: boolean;
  clientId: string | undefined;
  updatedAt: Date | undefined;
}

/**
 * How a callback ended: a new connection, or a stable code and a message for the admin. Codes:
 * oauth_session_required, oauth_state_invalid, oauth_state_expired, forbidden, oauth_access_denied,
 * oauth_refused, oauth_app_missing, oauth_no_refresh_token, url_forbidden, conflict (docs/errors.md).
 */
export type OAuthOutcome =
  | { ok: true; connection: ConnectionView }
  | { ok: false; code: string; message: string };

/** Sealed with the request: what the callback needs and only the server may know. */
interface PendingSignIn {
  codeVerifier: string;
  redirectUri: string;
  start: { name: string } & Record<string, unknown>;
}

/**
 * The OAuth 2.0 authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636 with S256), the same for
 * every CRM; each CRM's provider says where its endpoints are and how a token answer becomes a
 * connection. Requests and answers go through oauth4webapi and the guarded client. The state and
 * code verifier stay on the server: the state is stored hashed, the verifier sealed, bound to the
 * admin's session, for ten minutes, and taken (deleted) by the first callback that names it. The
 * connection a sign-in makes is created by the connection service, as one made through the API is.
 */
export class OAuthService {
  private readonly box: SecretBox;
  private readonly providers: Map<string, OAuthProvider>;

  constructor(
    private readonly options: {
      repository: OAuthRepository;
      connections: ConnectionService;
      secretKey: string;
      guarded: GuardedFetch;
      providers: readonly OAuthProvider[];
      now?: () => number;
    },
  ) {
    this.box = new SecretBox(options.secretKey);
    this.providers = new Map(options.providers.map((p) => [p.kind, p as OAuthProvider]));
  }

  /** The kinds that sign in with OAuth. */
  kinds(): string[] {
    return [...this.providers.keys()];
  }

  /**
   * The body of `POST /oauth/{kind}/start` for the API document: any provider's start input, which
   * `start` checks again against the kind's own.
   */
  startSchema(): z.ZodType<{ name: string }> {
    const [first, ...rest] = [...this.providers.values()].map((p) => p.startInput);
    if (!first) throw new Error('no CRM signs in with OAuth');
    return rest.length === 0 ? first : z.union([first, ...rest]);
  }

  provider(kind: string): OAuthProvider {
    const provider = this.providers.get(kind);
    if (!provider) throw new WasyncError('not_found', `No OAuth sign-in for ${kind}.`);
    return provider;
  }

  /** Where the CRM sends the browser back; the URL to register in the CRM's app. */
  static redirectUri(origin: string, kind: string): string {
    return `${origin.replace(/\/+$/, '')}/api/v1/oauth/${kind}/callback`;
  }

  async app(workspaceId: string, kind: string): Promise<OAuthAppView> {
    this.provider(kind);
    const stored = await this.options.repository.app(workspaceId, kind);
    return { kind, configured: !!stored, clientId: stored?.clientId, updatedAt: stored?.updatedAt };
  }

  async setApp(
    workspaceId: string,
    kind: string,
    app: { clientId: string; clientSecret: string },
  ): Promise<void> {
    this.provider(kind);
    const sealed = this.box.seal(app.clientSecret, oauthAppContext(workspaceId, kind));
    await this.options.repository.putApp(workspaceId, kind, app.clientId, sealed);
  }

  async deleteApp(workspaceId: string, kind: string): Promise<void> {
    this.provider(kind);
    if (!(await this.options.repository.deleteApp(workspaceId, kind)))
      throw new WasyncError('not_found', `No OAuth app is set for ${kind}.`);
  }

  /**
   * Starts a sign-in: checks what the admin asked for, stores the pending request and answers the
   * CRM's authorize URL to send the browser to. `origin` is wasync's public origin.
   */
  async start(
    session: OAuthSession,
    kind: string,
    given: unknown,
    origin: string,
  ): Promise<{ authorizeUrl: string; redirectUri: string; expiresAt: Date }> {
    const provider = this.provider(kind);
    const start = startOf(provider, given);
    provider.checkStart(start, this.options.guarded.allow);
    const app = await this.options.repository.app(session.workspaceId, kind);
    if (!app) throw appMissing(provider);
    // Refused now rather than after the admin went through the CRM's consent.
    if (await this.options.connections.has(session.workspaceId, start.name))
      throw new WasyncError('conflict', `A connection named ${start.name} already exists.`);
    const endpoints = provider.endpoints(start);
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const redirectUri = OAuthService.redirectUri(origin, kind);
    const stateHash = hashState(state);
    const now = this.now();
    const expiresAt = now + OAUTH_REQUEST_TTL_MS;
    const pending: PendingSignIn = { codeVerifier, redirectUri, start };
    await this.options.repository.addRequest(
      {
        stateHash,
        workspaceId: session.workspaceId,
        kind,
        sessionId: session.sessionId,
        userId: session.userId,
        sealed: this.box.seal(JSON.stringify(pending), oauthRequestContext(stateHash)),
        expiresAt,
      },
      now,
    );
    const url = new URL(endpoints.authorizationEndpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', app.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('scope', provider.scopes.join(provider.scopeDelimiter ?? ' '));
    for (const [name, value] of Object.entries(provider.authorizationParameters ?? {}))
      url.searchParams.set(name, value);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return { authorizeUrl: url.toString(), redirectUri, expiresAt: new Date(expiresAt) };
  }

  /**
   * The browser is back from the CRM with `query` (code and state, or an error). `session` is the
   * browser's wasync session, undefined when it has none; `isAdmin` whether its user is an admin now.
   * Never throws for what a browser can send: every failure is an outcome to show the admin.
   */
  async callback(
    session: (OAuthSession & { isAdmin: boolean }) | undefined,
    kind: string,
    query: Record<string, string | undefined>,
  ): Promise<OAuthOutcome> {
    const provider = this.provider(kind);
    const fail = (code: string, message: string): OAuthOutcome => ({ ok: false, code, message });
    if (!session)
      return fail(
        'oauth_session_required',
        `Sign in to wasync in this browser, then connect ${provider.label} again.`,
      );
    const state = query.state;
    const taken = state
      ? await this.options.repository.takeRequest(hashState(state), kind, session.sessionId)
      : undefined;
    if (!state || !taken)
      return fail(
        'oauth_state_invalid',
        `This sign-in link is not one wasync is waiting for (already used, or started in another browser session). Connect ${provider.label} again.`,
      );
    const expired = fail(
      'oauth_state_expired',
      `The sign-in took longer than 10 minutes. Connect ${provider.label} again.`,
    );
    if (taken.expiresAt <= this.now()) return expired;
    let pending: PendingSignIn;
    try {
      pending = JSON.parse(
        this.box.open(taken.sealed, oauthRequestContext(taken.stateHash)),
      ) as PendingSignIn;
    } catch {
      return expired; // sealed under a secret key rotated since
    }
    if (!session.isAdmin || taken.workspaceId !== session.workspaceId)
      return fail('forbidden', 'Only an admin may connect a CRM.');
    const start = provider.startInput.parse(pending.start);
    let endpoints = provider.endpoints(start);
    const storedApp = await this.options.repository.app(taken.workspaceId, kind);
    if (!storedApp) return fail('oauth_app_missing', appMissing(provider).message);
    const clientSecret = this.box.open(storedApp.sealedSecret, oauthAppContext(taken.workspaceId, kind));
    const as = authorizationServer(endpoints);
    const client: oauth.Client = { client_id: storedApp.clientId };

    // Only the parameters of RFC 6749 §4.1.2: the CRM may add others (Salesforce: sfdc_community_url).
    const parameters = new URLSearchParams();
    for (const name of ['code', 'state', 'error', 'error_description'] as const) {
      const value = query[name];
      if (value !== undefined) parameters.set(name, value);
    }
    let callbackParameters: URLSearchParams;
    try {
      callbackParameters = oauth.validateAuthResponse(as, client, parameters, state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        if (error.error === 'access_denied')
          return fail('oauth_access_denied', `You declined access in ${provider.label}.`);
        return fail(
          'oauth_refused',
          `${provider.label} refused the sign-in: ${error.error_description ?? error.error} (${error.error}).`,
        );
      }
      return fail('oauth_refused', `${provider.label} sent back an answer wasync cannot read.`);
    }

    if (provider.callbackEndpoints) {
      try {
        endpoints = provider.callbackEndpoints(start, endpoints, query, this.options.guarded.allow);
      } catch (error) {
        if (error instanceof WasyncError) return fail(error.code, error.message);
        throw error;
      }
    }
    let token: oauth.TokenEndpointResponse;
    try {
      const options = {
        [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<'POST', URLSearchParams>) =>
          this.options.guarded(url, {
            method: init.method,
            headers: init.headers,
            body: init.body,
            signal: init.signal ?? AbortSignal.timeout(60_000),
          }),
        // The guarded client refuses http itself, but for the hosts an operator allow-listed.
        [oauth.allowInsecureRequests]: endpoints.tokenEndpoint.startsWith('http:'),
      };
      const tokenServer = authorizationServer(endpoints);
      const answered = await oauth.authorizationCodeGrantRequest(
        tokenServer,
        client,
        oauth.ClientSecretPost(clientSecret),
        callbackParameters,
        pending.redirectUri,
        pending.codeVerifier,
        options,
      );
      const response = provider.normalizeTokenAnswer
        ? await normalized(answered, provider.normalizeTokenAnswer)
        : answered;
      const refused = await refusalIn(response);
      if (refused)
        return fail(
          'oauth_refused',
          `${provider.label} refused the sign-in: ${refused.description ?? refused.error} (${refused.error}).`,
        );
      token = await oauth.processAuthorizationCodeResponse(tokenServer, client, response);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError)
        return fail(
          'oauth_refused',
          `${provider.label} refused the sign-in: ${error.error_description ?? error.error} (${error.error}).`,
        );
      return fail(
        'oauth_refused',
        `wasync could not complete the sign-in at ${provider.label}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!token.refresh_token)
      return fail(
        'oauth_no_refresh_token',
        `${provider.label} granted no refresh token: ${provider.noRefreshToken}`,
      );
    // The body POST /connections would take, through the same checks, sealing and conflict rule.
    try {
      const made = provider.connection({
        start,
        clientId: storedApp.clientId,
        clientSecret,
        endpoints,
        callback: query,
        refreshToken: token.refresh_token,
        token,
        allow: this.options.guarded.allow,
      });
      const connection = await this.options.connections.create(taken.workspaceId, made.input, {
        learned: made.learned,
      });
      return { ok: true, connection };
    } catch (error) {
      if (error instanceof WasyncError) return fail(error.code, error.message);
      throw error;
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function authorizationServer(endpoints: OAuthEndpoints): oauth.AuthorizationServer {
  return {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorizationEndpoint,
    token_endpoint: endpoints.tokenEndpoint,
  };
}

/**
 * An error answered with HTTP 200, which RFC 6749 §5.2 answers with 400 but Zoho's token endpoint
 * does not (its refusals are 200 with an `error` key: the crm-apis notes §2.8; Zoho CRM API v8, "OAuth
 * Token Validity", "Access Denied" past the token limit): read as the refusal it is, with the CRM's
 * reason, rather than as a token answer without a token.
 */
async function refusalIn(
  response: Response,
): Promise<{ error: string; description: string | undefined } | undefined> {
  if (response.status !== 200) return undefined;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (!body || typeof body !== 'object' || !('error' in body) || typeof body.error !== 'string')
    return undefined;
  if ('access_token' in body) return undefined;
  const description =
    'error_description' in body && typeof body.error_description === 'string'
      ? body.error_description
      : undefined;
  return { error: body.error, description };
}

/** A token answer rewritten by the provider (a successful JSON answer only; anything else as it came). */
async function normalized(
  response: Response,
  normalize: (body: Record<string, unknown>) => Record<string, unknown>,
): Promise<Response> {
  if (response.status !== 200) return response;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (!body || typeof body !== 'object' || Array.isArray(body)) return response;
  return new Response(JSON.stringify(normalize(body as Record<string, unknown>)), {
    status: response.status,
    headers: response.headers,
  });
}

/** What the admin gave, by the kind's own start input (the API's body is any kind's). */
function startOf(provider: OAuthProvider, given: unknown): { name: string } {
  const parsed = provider.startInput.safeParse(given);
  if (!parsed.success)
    throw new WasyncError('validation_failed', `The body does not match the sign-in at ${provider.label}.`, {
      issues: parsed.error.issues.map((issue) => ({
        field: ['body', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    });
  return parsed.data;
}

function hashState(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

function appMissing(provider: OAuthProvider): WasyncError {
  return new WasyncError(
    'oauth_app_missing',
    `No ${provider.label} app is set for signing in: an admin enters its client id and secret first (PUT /api/v1/oauth/${provider.kind}/app).`,
  );
}
