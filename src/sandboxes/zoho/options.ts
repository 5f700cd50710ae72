import {
  type ConnectionFault,
  type FaultOptions,
  type ResolvedFaults,
  resolveFaults,
} from '../kit/faults.js';

/**
 * Zoho's data centres and their accounts and API hosts (Zoho Accounts, "Multi DC support"; the
 * `location` and `accounts-server` parameters of the authorization redirect name them). The sandbox
 * answers its own URL as `api_domain` and `accounts-server`, whatever the data centre, so tests run
 * against it; the data centre decides the `location` it reports.
 */
export const DATA_CENTRES = {
  us: 'https://accounts.zoho.com',
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  au: 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  ca: 'https://accounts.zohocloud.ca',
  sa: 'https://accounts.zoho.sa',
  cn: 'https://accounts.zoho.com.cn',
  uk: 'https://accounts.zoho.uk',
} as const;

export type DataCentre = keyof typeof DATA_CENTRES;

/**
 * Each edition's credits per rolling 24 hours, 50 000 plus so many per user license up to a cap
 * (Zoho CRM API, "API Limits", credit table), and its concurrency limit (the crm-apis notes §2.8;
 * unverified).
 */
export const EDITIONS = {
  free: { base: 5_000, perLicense: 0, cap: 5_000, concurrency: 5 },
  standard: { base: 50_000, perLicense: 250, cap: 100_000, concurrency: 10 },
  professional: { base: 50_000, perLicense: 500, cap: 3_000_000, concurrency: 15 },
  enterprise: { base: 50_000, perLicense: 1_000, cap: 5_000_000, concurrency: 20 },
  ultimate: { base: 50_000, perLicense: 2_000, cap: Number.POSITIVE_INFINITY, concurrency: 25 },
} as const;

export type Edition = keyof typeof EDITIONS;

/** A client registered in the API console (server-based, or the Self Client). */
export interface ZohoClient {
  clientId: string;
  clientSecret: string;
  /** Redirect URIs registered for the client; default none, and any http(s) URL is taken. */
  redirectUris?: string[];
}

/** The demo client the CLI prints; a sandbox-only pair, never a real Zoho client. */
export const DEMO_CLIENT: ZohoClient = {
  clientId: '1000.WASYNCSANDBOXDEMOCLIENT00000',
  clientSecret: 'wasync-zoho-sandbox-secret',
};

/**
 * Injected failures: `429` (RATE_LIMIT_EXCEEDED, as the v8 OAS's 429 examples show it), `500`
 * (INTERNAL_ERROR), `invalid-token` (401 INVALID_TOKEN, as a token evicted by the 16th), and the kit's
 * `timeout` and `lost-answer`.
 */
export type ZohoFaultKind = '429' | '500' | 'invalid-token' | ConnectionFault;

const ALL_FAULTS: ZohoFaultKind[] = ['429', '500', 'invalid-token', 'timeout', 'lost-answer'];

/** Options of {@link buildZohoSandbox}; every one is optional. */
export interface ZohoSandboxOptions {
  /** The data centre the accounts server stands for (its `location`). Default `us`. */
  dataCentre?: DataCentre;
  /** Clients accepted at the token endpoint. Default {@link DEMO_CLIENT}. */
  clients?: ZohoClient[];
  /** The org id of the older record page path `/crm/org/{orgId}/tab/…`. Default `wasync-sandbox-org`. */
  orgId?: string;
  /**
   * The org's ZGID, digits (`GET /org` answers it; record pages answer at `/crm/org{zgid}/tab/…`,
   * as Zoho's web UI does). Default `700000001`.
   */
  zgid?: string;
  /** The org's company name (`GET /org` `company_name`). Default `wasync sandbox`. */
  companyName?: string;
  /** Milliseconds since the epoch; tests pass a clock they move. Default `Date.now`. */
  clock?: () => number;
  /** How long after a write search (`/search`) sees it; COQL and get see it at once. Default 0. */
  searchIndexLagMs?: number;
  /** The org's edition, which sets its credit budget and concurrency limit. Default `enterprise`. */
  edition?: Edition;
  /** User licenses, which add to the credit budget. Default 10. */
  licenses?: number;
  /** API credits per rolling 24 hours; overrides the edition's budget. */
  dailyCredits?: number;
  /** Requests served at once; the next answers 429 TOO_MANY_REQUESTS. Overrides the edition's. */
  concurrencyLimit?: number;
  /** Fields that must be unique per module (DUPLICATE_DATA on a clash). Default none. */
  uniqueFields?: Partial<Record<'Contacts' | 'Leads', string[]>>;
  /** Whether a lead needs Company (the standard layout marks it mandatory). Default true. */
  leadCompanyMandatory?: boolean;
  /** Largest attachment accepted, in bytes. Default 20 MB. */
  maxAttachmentBytes?: number;
  /** Random and scripted failures of API requests. Default none. */
  faults?: FaultOptions<ZohoFaultKind>;
  /** Delay added to every API request, in ms. Default 0. */
  latencyMs?: number;
  /** Log requests with pino. Default false. */
  logger?: boolean;
}

export interface ResolvedZohoOptions {
  dataCentre: DataCentre;
  clients: ZohoClient[];
  orgId: string;
  zgid: string;
  companyName: string;
  edition: Edition;
  licenses: number;
  clock: () => number;
  searchIndexLagMs: number;
  dailyCredits: number;
  concurrencyLimit: number;
  uniqueFields: Partial<Record<'Contacts' | 'Leads', string[]>>;
  leadCompanyMandatory: boolean;
  maxAttachmentBytes: number;
  faults: ResolvedFaults<ZohoFaultKind>;
  latencyMs: number;
  logger: boolean;
}

// crm-oas v8.0/org `OrgDetails.zgid`: a string of at most 19 characters; Zoho's are digits.
function digits(name: string, value: string): string {
  if (!/^[0-9]{1,19}$/.test(value)) throw new Error(`${name} must be 1 to 19 digits`);
  return value;
}

export function resolveZohoOptions(options: ZohoSandboxOptions): ResolvedZohoOptions {
  const count = (name: string, value: number | undefined, fallback: number) => {
    const resolved = value ?? fallback;
    if (!(Number.isInteger(resolved) && resolved >= 0))
      throw new Error(`${name} must be a whole number from 0`);
    return resolved;
  };
  const dataCentre = options.dataCentre ?? 'us';
  const editionName = options.edition ?? 'enterprise';
  const edition = EDITIONS[editionName];
  if (!edition)
    throw new Error(`edition: no ${options.edition}; the editions are ${Object.keys(EDITIONS).join(', ')}`);
  const licenses = count('licenses', options.licenses, 10);
  const budget = Math.min(edition.base + edition.perLicense * licenses, edition.cap);
  if (!(dataCentre in DATA_CENTRES))
    throw new Error(
      `dataCentre: no ${dataCentre}; the data centres are ${Object.keys(DATA_CENTRES).join(', ')}`,
    );
  return {
    dataCentre,
    clients: options.clients ?? [DEMO_CLIENT],
    orgId: options.orgId ?? 'wasync-sandbox-org',
    zgid: digits('zgid', options.zgid ?? '700000001'),
    companyName: options.companyName ?? 'wasync sandbox',
    edition: editionName,
    licenses,
    clock: options.clock ?? Date.now,
    searchIndexLagMs: count('searchIndexLagMs', options.searchIndexLagMs, 0),
    dailyCredits: count('dailyCredits', options.dailyCredits, budget),
    concurrencyLimit: count('concurrencyLimit', options.concurrencyLimit, edition.concurrency),
    uniqueFields: options.uniqueFields ?? {},
    leadCompanyMandatory: options.leadCompanyMandatory ?? true,
    maxAttachmentBytes: count('maxAttachmentBytes', options.maxAttachmentBytes, 20 * 1024 * 1024),
    faults: resolveFaults(options.faults, ALL_FAULTS),
    latencyMs: count('latencyMs', options.latencyMs, 0),
    logger: options.logger ?? false,
  };
}
