import type { TokenEndpointResponse } from 'oauth4webapi';
import type { z } from 'zod';
import type { OutboundAllowList } from '../../net/outbound-url.js';

/** Where a CRM's authorization server lives, for one sign-in. */
export interface OAuthEndpoints {
  /** The authorization server's identifier (Salesforce: the login URL). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** What a sign-in left to store as a connection: settings in the clear, secrets sealed. */
export interface OAuthConnection {
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
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
  /** Checks what the admin gave against the outbound rules; throws a WasyncError (url_forbidden). */
  checkStart(start: Start, allow: OutboundAllowList): void;
  endpoints(start: Start): OAuthEndpoints;
  /** Scopes of the authorization request, space-separated there. */
  scopes: readonly string[];
  /** The connection to store; throws a WasyncError when the answer names what wasync will not call. */
  connection(signIn: {
    start: Start;
    clientId: string;
    clientSecret: string;
    refreshToken: string;
    token: TokenEndpointResponse;
    allow: OutboundAllowList;
  }): OAuthConnection;
}
