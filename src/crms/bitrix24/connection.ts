import { z } from 'zod';
import type { GuardedFetch } from '../../net/guarded-fetch.js';
import type { RateLimiter } from '../kit/rate-limiter.js';
import type { TokenStore } from '../kit/token-holder.js';
import type { Bitrix24Token } from './auth.js';
import { Bitrix24Destination } from './destination.js';
import { BITRIX24_PLAN_NAMES } from './limits.js';
import type { OperatingTimes } from './operating-time.js';
import { type Bitrix24Access, OAuthAccess, parseWebhookUrl, WebhookAccess } from './sign-in.js';
import { Bitrix24Transport } from './transport.js';

export const DEFAULT_LEAD_TITLE = 'WhatsApp';
/** Bitrix24's cloud OAuth server (b24restdocs `settings/oauth/index.md`). */
export const BITRIX24_OAUTH_SERVER = 'https://oauth.bitrix.info';

const WebhookUrl = z.url({ protocol: /^https?$/ }).refine(
  (value) => {
    try {
      parseWebhookUrl(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'A webhook URL reads https://{portal}/rest/{user id}/{secret}/' },
);

/** What a user gives to connect a portal (API body, UI form). Base URLs are ordinary fields. */
export const Bitrix24ConnectionInput = z
  .strictObject({
    kind: z.literal('bitrix24'),
    name: z.string().min(1).max(128),
    plan: z
      .enum(BITRIX24_PLAN_NAMES)
      .default('standard')
      .describe(
        "The portal's plan: Enterprise portals take 250 requests at once and 5 a second, others 50 and 2.",
      ),
    leadTitle: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .default(DEFAULT_LEAD_TITLE)
      .describe('Title of a lead created from a chat, before the person’s name: "WhatsApp: Ana Souza".'),
    sourceId: z
      .string()
      .trim()
      .max(50)
      .nullable()
      .default(null)
      .describe(
        "SOURCE_ID of contacts and leads created from a chat (a value of the portal's Source list); null for none.",
      ),
    auth: z.discriminatedUnion('flow', [
      z.strictObject({
        flow: z.literal('webhook'),
        webhookUrl: WebhookUrl.describe(
          'The inbound webhook URL (Developer resources → Other → Inbound webhook), with the crm, disk and user scopes.',
        ),
      }),
      z.strictObject({
        flow: z.literal('oauth'),
        portalUrl: z.url({ protocol: /^https?$/ }).describe('The portal: https://yourcompany.bitrix24.com'),
        oauthServer: z
          .url({ protocol: /^https?$/ })
          .default(BITRIX24_OAUTH_SERVER)
          .describe('Where tokens are renewed: https://oauth.bitrix.info, or a sandbox.'),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1),
        refreshToken: z.string().min(1),
      }),
    ]),
  })
  .meta({ id: 'Bitrix24ConnectionInput' });

export type Bitrix24ConnectionInput = z.infer<typeof Bitrix24ConnectionInput>;

/** Kept in the clear. */
const Bitrix24Settings = z.object({
  flow: z.enum(['webhook', 'oauth']),
  portalUrl: z.string(),
  /** The webhook's user (its secret is sealed). */
  userId: z.string().optional(),
  oauthServer: z.string().optional(),
  clientId: z.string().optional(),
  plan: z.enum(BITRIX24_PLAN_NAMES).default('standard'),
  leadTitle: z.string().default(DEFAULT_LEAD_TITLE),
  sourceId: z.string().nullable().default(null),
});

/** Sealed at rest: the webhook's secret, or the application's secret and rotating refresh token. */
const Bitrix24Secrets = z.union([
  z.object({ webhookSecret: z.string() }),
  z.object({ clientSecret: z.string(), refreshToken: z.string() }),
]);

export type Bitrix24Settings = z.infer<typeof Bitrix24Settings>;

const trimmed = (url: string) => url.replace(/\/+$/, '');

export function splitBitrix24Input(input: Bitrix24ConnectionInput): {
  settings: Bitrix24Settings;
  secrets: z.infer<typeof Bitrix24Secrets>;
} {
  const common = { plan: input.plan, leadTitle: input.leadTitle, sourceId: input.sourceId };
  if (input.auth.flow === 'webhook') {
    const hook = parseWebhookUrl(input.auth.webhookUrl);
    return {
      settings: { flow: 'webhook', portalUrl: hook.portalUrl, userId: hook.userId, ...common },
      secrets: { webhookSecret: hook.secret },
    };
  }
  return {
    settings: {
      flow: 'oauth',
      portalUrl: new URL(input.auth.portalUrl).origin,
      oauthServer: trimmed(input.auth.oauthServer),
      clientId: input.auth.clientId,
      ...common,
    },
    secrets: { clientSecret: input.auth.clientSecret, refreshToken: input.auth.refreshToken },
  };
}

export function parseBitrix24Settings(settings: unknown): Bitrix24Settings {
  return Bitrix24Settings.parse(settings);
}

/** The refresh token of stored secrets, and the secrets with a rotated one. */
export function refreshTokenOf(secrets: unknown): string | undefined {
  const parsed = Bitrix24Secrets.safeParse(secrets);
  return parsed.success && 'refreshToken' in parsed.data ? parsed.data.refreshToken : undefined;
}

export function withRefreshToken(secrets: unknown, refreshToken: string): unknown {
  return { ...(secrets as Record<string, unknown>), refreshToken };
}

/** How a stored connection reaches its portal. */
export function bitrix24Access(
  settings: unknown,
  secrets: unknown,
  limiter: RateLimiter,
  options: { guarded?: GuardedFetch | undefined; store?: TokenStore<Bitrix24Token> | undefined } = {},
): Bitrix24Access {
  const s = Bitrix24Settings.parse(settings);
  const k = Bitrix24Secrets.parse(secrets);
  if (s.flow === 'webhook') {
    if (!('webhookSecret' in k) || s.userId === undefined)
      throw new TypeError('A webhook connection keeps its user and secret');
    return new WebhookAccess(`${s.portalUrl}/rest/${s.userId}/${k.webhookSecret}/`, limiter, options.guarded);
  }
  if (!('refreshToken' in k) || s.clientId === undefined)
    throw new TypeError('An OAuth connection keeps its client and refresh token');
  return new OAuthAccess({
    portalUrl: s.portalUrl,
    oauthServer: s.oauthServer ?? BITRIX24_OAUTH_SERVER,
    clientId: s.clientId,
    clientSecret: k.clientSecret,
    refreshToken: k.refreshToken,
    limiter,
    store: options.store,
    guarded: options.guarded,
  });
}

/** What one connection shares between its destinations: its access and the methods' operating time. */
export interface Bitrix24Session {
  access: Bitrix24Access;
  operating: OperatingTimes;
}

export function bitrix24Destination(
  settings: unknown,
  session: Bitrix24Session,
  options: { clock?: () => number } = {},
): Bitrix24Destination {
  const s = Bitrix24Settings.parse(settings);
  return new Bitrix24Destination(new Bitrix24Transport(session.access, { operating: session.operating }), {
    defaults: { leadTitle: s.leadTitle, sourceId: s.sourceId ?? undefined },
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** How the workspace and the CLI describe a connection in one line: `company.bitrix24.com · webhook`. */
export function describeBitrix24Settings(settings: Record<string, unknown>): string {
  const parsed = Bitrix24Settings.safeParse(settings);
  if (!parsed.success) return '';
  return [new URL(parsed.data.portalUrl).host, parsed.data.flow, parsed.data.plan].join(' · ');
}
