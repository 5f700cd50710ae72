import { z } from 'zod';
import type { SalesforceAuth } from './auth.js';
import { SalesforceDestination } from './destination.js';
import { DEFAULT_RECORD_DEFAULTS } from './record-defaults.js';
import { SalesforceTransport } from './transport.js';

/** What a user gives to connect an org (API body, UI form). Base URLs are ordinary fields. */
export const SalesforceConnectionInput = z
  .strictObject({
    kind: z.literal('salesforce'),
    name: z.string().min(1).max(128),
    loginUrl: z
      .url({ protocol: /^https?$/ })
      .describe(
        'https://login.salesforce.com, https://test.salesforce.com, your My Domain URL, or a sandbox URL.',
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
      }),
    ]),
  })
  .meta({ id: 'SalesforceConnectionInput' });

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
        settings: { ...base, username: auth.username },
        secrets: { privateKeyPem: auth.privateKeyPem },
      };
  }
}

/** The transport of a stored connection; throws when settings and secrets do not fit together. */
export function salesforceTransport(
  settings: unknown,
  secrets: unknown,
  onSecretsChanged?: (secrets: Record<string, unknown>) => Promise<void>,
): SalesforceTransport {
  const s = SalesforceSettings.parse(settings);
  const k = SalesforceSecrets.parse(secrets);
  return new SalesforceTransport({
    loginUrl: s.loginUrl,
    apiVersion: s.apiVersion,
    auth: toAuth(s, k),
    // An org that rotates refresh tokens invalidates the old one with each refresh: the new one must
    // be stored, or the next start signs in with a dead token.
    onToken: (token) => {
      if (token.refreshToken && k.refreshToken && token.refreshToken !== k.refreshToken) {
        k.refreshToken = token.refreshToken;
        return onSecretsChanged?.({ ...k });
      }
    },
  });
}

export function salesforceDestination(
  settings: unknown,
  secrets: unknown,
  onSecretsChanged?: (secrets: Record<string, unknown>) => Promise<void>,
): SalesforceDestination {
  const { leadSource, leadCompany } = SalesforceSettings.parse(settings);
  return new SalesforceDestination(salesforceTransport(settings, secrets, onSecretsChanged), {
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
      };
  }
}
