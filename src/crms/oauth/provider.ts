import type { TokenEndpointResponse } from 'oauth4webapi';
import type { z } from 'zod';
import type { OutboundAllowList } from '../../net/outbound-url.js';
import type { CrmForm } from '../registry.js';

/** Where a CRM's authorization server lives, for one sign-in. */
export interface OAuthEndpoints {
  /** The authorization server's identifier (Salesforce: the login URL). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/**
 * What a sign-in left to store: the kind's connection body, as `POST /connections` takes it, which
 * ConnectionService.create checks, splits and seals like any other.
 */
export interface OAuthConnection {
  input: { kind: string; name: string } & Record<string, unknown>;
  /** Settings the sign-in learned beside the body (Salesforce: the instance URL), stored with its own. */
  learned?: Record<string, unknown> | undefined;
}

/** How the workspace asks for the app (once per workspace) and for one sign-in (GET /crm-kinds). */
export interface OAuthForm {
  /** What the CRM's app needs, before the callback URL to register in it; `backticks` mark code. */
  appIntro: string;
  clientIdLabel: string;
  clientSecretLabel: string;
  /** The fields of `startInput`, rendered like a connection form's. */
  start: CrmForm;
}

/**
 * One CRM's part of the authorization-code flow (the flow itself is generic, in ./flow.ts): where
 * its endpoints are for what the admin chose, which scopes to ask for, and how a token answer
 * becomes a connection the CRM's refresh-token sign-in works with. The CRM registry's `oauth` slot
 * of a kind holds this object.
 */
export interface OAuthProvider<Start extends { name: string } = { name: string }> {
  kind: string;
  /** The CRM's name as people read it: "Salesforce". */
  label: string;
  /** The body of `POST /oauth/{kind}/start`: the connection's name and where to sign in. */
  startInput: z.ZodType<Start>;
  form: OAuthForm;
  /** Checks what the admin gave against the outbound rules; throws a WasyncError (url_forbidden). */
  checkStart(start: Start, allow: OutboundAllowList): void;
  endpoints(start: Start): OAuthEndpoints;
  /** Scopes of the authorization request. */
  scopes: readonly string[];
  /** What joins the scopes in the request: RFC 6749 §3.3's space unless the CRM documents another. */
  scopeDelimiter?: string | undefined;
  /** What the admin does when a sign-in granted no refresh token (Salesforce: the app's scope). */
  noRefreshToken: string;
  /** Parameters the CRM's authorization request needs beyond RFC 6749's (Zoho: `access_type`). */
  authorizationParameters?: Readonly<Record<string, string>> | undefined;
  /**
   * Where to redeem the code, when the callback says (Zoho's `accounts-server`): the endpoints of
   * `endpoints(start)` adjusted by the callback's parameters. Throws a WasyncError (url_forbidden)
   * when they name a server wasync will not call. Without it the code goes to `endpoints(start)`.
   */
  callbackEndpoints?(
    start: Start,
    endpoints: OAuthEndpoints,
    callback: Readonly<Record<string, string | undefined>>,
    allow: OutboundAllowList,
  ): OAuthEndpoints;
  /**
   * The token answer as RFC 6749 §5.1 shapes it, for a CRM whose answer departs from it (Bitrix24's
   * has no `token_type`); the answer is read as it comes without it.
   */
  normalizeTokenAnswer?(body: Record<string, unknown>): Record<string, unknown>;
  /** The connection to store; throws a WasyncError when the answer names what wasync will not call. */
  connection(signIn: {
    start: Start;
    /** Where the code was redeemed: the connection signs in there again. */
    endpoints: OAuthEndpoints;
    /** The callback's query parameters, as the CRM sent them. */
    callback: Readonly<Record<string, string | undefined>>;
    clientId: string;
    clientSecret: string;
    refreshToken: string;
    token: TokenEndpointResponse;
    allow: OutboundAllowList;
  }): OAuthConnection;
}
