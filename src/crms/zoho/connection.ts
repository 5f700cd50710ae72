import { z } from 'zod';
import type { GuardedFetch } from '../../net/guarded-fetch.js';
import type { RateLimiter } from '../kit/rate-limiter.js';
import type { TokenStore } from '../kit/token-holder.js';
import type { ZohoToken } from './auth.js';
import { ZOHO_DATA_CENTRE_NAMES, ZOHO_DATA_CENTRES, type ZohoDataCentre } from './data-centres.js';
import { type OrgLinks, ZohoDestination } from './destination.js';
import { ZOHO_EDITION_NAMES, zohoLimiter } from './limits.js';
import { ZohoSignIn } from './sign-in.js';
import { ZohoTransport } from './transport.js';

export const DEFAULT_LEAD_COMPANY = 'WhatsApp';

/** What a user gives to connect an org (API body, UI form). Base URLs are ordinary fields. */
export const ZohoConnectionInput = z
  .strictObject({
    kind: z.literal('zoho'),
    name: z.string().min(1).max(128),
    dataCentre: z
      .enum(ZOHO_DATA_CENTRE_NAMES)
      .default('us')
      .describe('Where the org lives: the data centre of its Zoho account (the domain you sign in at).'),
    accountsUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        "The accounts server, when not the data centre's own (a sandbox); the API domain comes from each token answer.",
      ),
    edition: z
      .enum(ZOHO_EDITION_NAMES)
      .default('enterprise')
      .describe("The org's edition: it sets the API credits per day and the requests Zoho takes at once."),
    licenses: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1)
      .describe('User licenses, which add to the credits.'),
    leadCompany: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .default(DEFAULT_LEAD_COMPANY)
      .describe('Company of a lead created from a chat when none is given.'),
    leadSource: z
      .string()
      .trim()
      .max(120)
      .nullable()
      .default(null)
      .describe(
        "Lead Source of contacts and leads created from a chat (a value of the org's picklist); null for none.",
      ),
    auth: z.strictObject({
      flow: z.literal('refresh_token'),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      refreshToken: z.string().min(1),
    }),
  })
  .meta({ id: 'ZohoConnectionInput' });

export type ZohoConnectionInput = z.infer<typeof ZohoConnectionInput>;

/** Kept in the clear. */
const ZohoSettings = z.object({
  dataCentre: z.enum(ZOHO_DATA_CENTRE_NAMES),
  accountsUrl: z.string().optional(),
  edition: z.enum(ZOHO_EDITION_NAMES).default('enterprise'),
  licenses: z.number().default(1),
  leadCompany: z.string().default(DEFAULT_LEAD_COMPANY),
  leadSource: z.string().nullable().default(null),
  clientId: z.string(),
});

/** Sealed at rest. */
const ZohoSecrets = z.object({ clientSecret: z.string(), refreshToken: z.string() });

export function splitZohoInput(input: ZohoConnectionInput): {
  settings: z.infer<typeof ZohoSettings>;
  secrets: z.infer<typeof ZohoSecrets>;
} {
  return {
    settings: {
      dataCentre: input.dataCentre,
      ...(input.accountsUrl ? { accountsUrl: input.accountsUrl.replace(/\/+$/, '') } : {}),
      edition: input.edition,
      licenses: input.licenses,
      leadCompany: input.leadCompany,
      leadSource: input.leadSource,
      clientId: input.auth.clientId,
    },
    secrets: { clientSecret: input.auth.clientSecret, refreshToken: input.auth.refreshToken },
  };
}

/** The accounts server a connection signs in at. */
export function accountsUrlOf(settings: {
  dataCentre: ZohoDataCentre;
  accountsUrl?: string | undefined;
}): string {
  return settings.accountsUrl ?? ZOHO_DATA_CENTRES[settings.dataCentre].accounts;
}

/** Time as a connection reads it: tests move it to open Zoho's token window or reach a later day. */
export interface ZohoClockOption {
  clock?: (() => number) | undefined;
  /** Wraps the connection's budget (its waits counted in the metrics); as is by default. */
  limited?: ((limiter: RateLimiter) => RateLimiter) | undefined;
}

/** The token holder of a stored connection. */
export function zohoSignIn(
  settings: unknown,
  secrets: unknown,
  guarded?: GuardedFetch,
  store?: TokenStore<ZohoToken>,
  options: ZohoClockOption = {},
): ZohoSignIn {
  const s = ZohoSettings.parse(settings);
  const k = ZohoSecrets.parse(secrets);
  return new ZohoSignIn({
    accountsUrl: accountsUrlOf(s),
    clientId: s.clientId,
    clientSecret: k.clientSecret,
    refreshToken: k.refreshToken,
    limiter: (options.limited ?? ((limiter) => limiter))(zohoLimiter(s.edition, { licenses: s.licenses })),
    guarded,
    store,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

export function zohoDestination(
  settings: unknown,
  signIn: ZohoSignIn,
  options: ZohoClockOption & { orgLinks?: OrgLinks } = {},
): ZohoDestination {
  const s = ZohoSettings.parse(settings);
  return new ZohoDestination(new ZohoTransport(signIn), {
    defaults: { leadCompany: s.leadCompany, leadSource: s.leadSource ?? undefined },
    // A connection on its own accounts server (a sandbox) serves the record pages at its API domain.
    webBase: s.accountsUrl === undefined ? ZOHO_DATA_CENTRES[s.dataCentre].web : undefined,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.orgLinks ? { orgLinks: options.orgLinks } : {}),
  });
}

/** How the workspace and the CLI describe a connection in one line: `eu · Enterprise`. */
export function describeZohoSettings(settings: Record<string, unknown>): string {
  const parsed = ZohoSettings.safeParse(settings);
  if (!parsed.success) return '';
  return [
    parsed.data.accountsUrl ?? ZOHO_DATA_CENTRES[parsed.data.dataCentre].label,
    parsed.data.edition,
  ].join(' · ');
}
