import { z } from 'zod';
import type { GuardedFetch } from '../../net/guarded-fetch.js';
import type { RateLimiter } from '../kit/rate-limiter.js';
import type { TokenStore } from '../kit/token-holder.js';
import { defaultJwtAudience, type SalesforceAuth, type SalesforceToken } from './auth.js';
import { SalesforceDestination } from './destination.js';
import { DEFAULT_RECORD_DEFAULTS } from './record-defaults.js';
import { type RefreshTokenStore, SalesforceSignIn } from './sign-in.js';
import { SalesforceTransport } from './transport.js';

/** What a user gives to connect an org (API body, UI form). Base URLs are ordinary fields. */
export const SalesforceConnectionInput = z
  .strictObject({
    kind: z.literal('salesforce'),
    name: z.string().min(1).max(128),
    loginUrl: z
      .url({ protocol: /^https?$/ })
      .describe(
        'Your My Domain URL (the only one the client credentials flow works on), https://login.salesforce.com, https://test.salesforce.com, or a sandbox URL.',
      ),
    apiVersion: z
      .string()
      .regex(/^\d{2}\.\d$/)
      .default('62.0'),
    leadSource: z
      .string()
      .trim()
      .max(255)
      .nullable()
      .default(DEFAULT_RECORD_DEFAULTS.leadSource ?? null)
      .describe(
        "Lead Source of contacts and leads created from a chat; null for none. Left out where the org's picklist has no such value.",
      ),
    leadCompany: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .default(DEFAULT_RECORD_DEFAULTS.leadCompany)
      .describe('Company of a lead created from a chat when none is given (Salesforce requires one).'),
    auth: z.discriminatedUnion('flow', [
      z.strictObject({
        flow: z.literal('client_credentials'),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1),
      }),
      z.strictObject({
        flow: z.literal('refresh_token'),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1),
        refreshToken: z.string().min(1),
      }),
      z.strictObject({
        flow: z.literal('jwt_bearer'),
        clientId: z.string().min(1),
        username: z.string().min(1),
        privateKeyPem: z.string().includes('PRIVATE KEY'),
        audience: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe(
            "The assertion's aud. Default: https://test.salesforce.com for a sandbox org's login URL, else https://login.salesforce.com; your My Domain URL for apps that require it.",
          ),
      }),
    ]),
  })
  .superRefine((input, context) => {
    if (input.auth.flow === 'client_credentials' && isGenericLoginHost(input.loginUrl)) {
      context.addIssue({ code: 'custom', path: ['loginUrl'], message: CLIENT_CREDENTIALS_NEEDS_MY_DOMAIN });
    }
  })
  .meta({ id: 'SalesforceConnectionInput' });

/**
 * The client credentials flow is served only at the org's My Domain: "The client credentials flow
 * doesn't support calls to login.salesforce.com or test.salesforce.com" (Salesforce Help, KB 000886201
 * "Migrate from OAuth Username-Password to Client Credentials Flow"; "OAuth 2.0 Client Credentials
 * Flow for Server-to-Server Integration" posts to the My Domain token endpoint). An org answers
 * `invalid_grant` "request not supported on this domain" there, which says little; refusing the
 * connection says what to do.
 */
const CLIENT_CREDENTIALS_NEEDS_MY_DOMAIN =
  "The client credentials flow works only on your org's My Domain URL (https://MyDomainName.my.salesforce.com, or https://MyDomainName--SandboxName.sandbox.my.salesforce.com for a sandbox org), not on login.salesforce.com or test.salesforce.com.";

function isGenericLoginHost(loginUrl: string): boolean {
  const host = URL.parse(loginUrl)?.hostname.toLowerCase();
  return host === 'login.salesforce.com' || host === 'test.salesforce.com';
}

export type SalesforceConnectionInput = z.infer<typeof SalesforceConnectionInput>;

/** Kept in the clear: enough to show and reach the connection, nothing that signs in. */
const SalesforceSettings = z.object({
  loginUrl: z.string(),
  apiVersion: z.string(),
  // Connections stored before these settings existed keep the defaults.
  leadSource: z
    .string()
    .nullable()
    .default(DEFAULT_RECORD_DEFAULTS.leadSource ?? null),
  leadCompany: z.string().default(DEFAULT_RECORD_DEFAULTS.leadCompany),
  flow: z.enum(['client_credentials', 'refresh_token', 'jwt_bearer']),
  clientId: z.string(),
  username: z.string().optional(),
  /** JWT bearer: the assertion's `aud`, resolved when the connection was made. */
  audience: z.string().optional(),
});

/** Sealed at rest. */
const SalesforceSecrets = z.object({
  clientSecret: z.string().optional(),
  refreshToken: z.string().optional(),
  privateKeyPem: z.string().optional(),
});

export function splitSalesforceInput(input: SalesforceConnectionInput): {
  settings: z.infer<typeof SalesforceSettings>;
  secrets: z.infer<typeof SalesforceSecrets>;
} {
  const { auth } = input;
  const base = {
    loginUrl: input.loginUrl,
    apiVersion: input.apiVersion,
    leadSource: input.leadSource,
    leadCompany: input.leadCompany,
    flow: auth.flow,
    clientId: auth.clientId,
  };
  switch (auth.flow) {
    case 'client_credentials':
      return { settings: base, secrets: { clientSecret: auth.clientSecret } };
    case 'refresh_token':
      return {
        settings: base,
        secrets: { clientSecret: auth.clientSecret, refreshToken: auth.refreshToken },
      };
    case 'jwt_bearer':
      return {
        settings: {
          ...base,
          username: auth.username,
          audience: auth.audience ?? defaultJwtAudience(input.loginUrl),
        },
        secrets: { privateKeyPem: auth.privateKeyPem },
      };
  }
}

/**
 * The token holder of a stored connection; throws when settings and secrets do not fit together.
 * `refreshTokens` is where the connection's refresh token is stored: an org that rotates refresh
 * tokens invalidates the old one with each refresh, so the new one must be stored, and read back by
 * every process before it refreshes.
 */
export function salesforceSignIn(
  settings: unknown,
  secrets: unknown,
  refreshTokens?: RefreshTokenStore,
  guarded?: GuardedFetch,
  store?: TokenStore<SalesforceToken>,
  options: { limiter?: RateLimiter } = {},
): SalesforceSignIn {
  const s = SalesforceSettings.parse(settings);
  return new SalesforceSignIn({
    loginUrl: s.loginUrl,
    auth: toAuth(s, SalesforceSecrets.parse(secrets)),
    ...(refreshTokens ? { refreshTokens } : {}),
    ...(guarded ? { guarded } : {}),
    ...(store ? { store } : {}),
    ...(options.limiter ? { limiter: options.limiter } : {}),
  });
}

/** The refresh token inside a connection's (opened) secrets, and the secrets with another one. */
export const refreshTokenOf = (secrets: unknown): string | undefined =>
  SalesforceSecrets.parse(secrets).refreshToken;

export function withRefreshToken(secrets: unknown, refreshToken: string): Record<string, unknown> {
  return { ...SalesforceSecrets.parse(secrets), refreshToken };
}

/** A transport of a stored connection, signing in through the connection's token holder. */
export function salesforceTransport(settings: unknown, signIn: SalesforceSignIn): SalesforceTransport {
  return new SalesforceTransport({ apiVersion: SalesforceSettings.parse(settings).apiVersion, signIn });
}

export function salesforceDestination(settings: unknown, signIn: SalesforceSignIn): SalesforceDestination {
  const { leadSource, leadCompany } = SalesforceSettings.parse(settings);
  return new SalesforceDestination(salesforceTransport(settings, signIn), {
    leadSource: leadSource ?? undefined,
    leadCompany,
  });
}

function toAuth(s: z.infer<typeof SalesforceSettings>, k: z.infer<typeof SalesforceSecrets>): SalesforceAuth {
  const missing = (what: string) => new Error(`the stored connection has no ${what}`);
  switch (s.flow) {
    case 'client_credentials':
      if (!k.clientSecret) throw missing('client secret');
      return { flow: 'client_credentials', clientId: s.clientId, clientSecret: k.clientSecret };
    case 'refresh_token':
      if (!k.clientSecret || !k.refreshToken) throw missing('client secret or refresh token');
      return {
        flow: 'refresh_token',
        clientId: s.clientId,
        clientSecret: k.clientSecret,
        refreshToken: k.refreshToken,
      };
    case 'jwt_bearer':
      if (!s.username || !k.privateKeyPem) throw missing('username or private key');
      return {
        flow: 'jwt_bearer',
        clientId: s.clientId,
        username: s.username,
        privateKeyPem: k.privateKeyPem,
        ...(s.audience ? { audience: s.audience } : {}),
      };
  }
}
