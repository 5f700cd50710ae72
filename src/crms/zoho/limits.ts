import { InProcessRateLimiter, type RateLimiter } from '../kit/rate-limiter.js';
import { CrmError } from '../types.js';

/**
 * What each Zoho CRM edition lets an org spend: API credits per rolling 24 hours (50,000 plus so many
 * per user license, up to a cap: Zoho CRM API, "API Limits"; Kaizen #93 and #203), and requests in
 * flight at once (Free 5, Standard 10, Professional 15, Enterprise 20, Ultimate 25, with a
 * sub-concurrency of 10 for the heavy APIs: search and COQL, writes of more than 10 records: the
 * crm-apis notes §2.8, unverified). Past the concurrency limit Zoho answers 429.
 */
export const ZOHO_EDITIONS = {
  free: { label: 'Free', base: 5_000, perLicense: 0, cap: 5_000, concurrency: 5 },
  standard: { label: 'Standard', base: 50_000, perLicense: 250, cap: 100_000, concurrency: 10 },
  professional: { label: 'Professional', base: 50_000, perLicense: 500, cap: 3_000_000, concurrency: 15 },
  enterprise: { label: 'Enterprise', base: 50_000, perLicense: 1_000, cap: 5_000_000, concurrency: 20 },
  ultimate: {
    label: 'Ultimate',
    base: 50_000,
    perLicense: 2_000,
    cap: Number.POSITIVE_INFINITY,
    concurrency: 25,
  },
} as const;

export type ZohoEdition = keyof typeof ZOHO_EDITIONS;
export const ZOHO_EDITION_NAMES = Object.keys(ZOHO_EDITIONS) as [ZohoEdition, ...ZohoEdition[]];

/** The heavy APIs' own limit, whatever the edition: searches and COQL queries are among them. */
const SUB_CONCURRENCY = 10;

/** When the org says its credits are spent, wait this long before asking again: the window rolls over 24 h. */
export const CREDITS_SPENT_BACKOFF_MS = 30 * 60_000;

/** The credits an org of this edition and licenses gets in 24 hours. */
export function dailyCredits(edition: ZohoEdition, licenses: number): number {
  const { base, perLicense, cap } = ZOHO_EDITIONS[edition];
  return Math.min(cap, base + perLicense * Math.max(0, licenses));
}

/**
 * A connection's limiter: at most the sub-concurrency (or the edition's, when lower) in flight, so
 * normal running never meets a 429; and the day's credits counted here, one a call (the only calls
 * wasync makes cost one each: COQL with a limit up to 200 costs one), so a connection stops before
 * the org refuses rather than after. `share` is the part of the org's credits wasync may use: other
 * integrations spend from the same pool.
 */
export function zohoLimiter(
  edition: ZohoEdition,
  options: { licenses?: number; share?: number; clock?: () => number } = {},
): RateLimiter {
  const { concurrency } = ZOHO_EDITIONS[edition];
  const credits = dailyCredits(edition, options.licenses ?? 1);
  return new InProcessRateLimiter(
    {
      concurrency: Math.min(concurrency, SUB_CONCURRENCY),
      dailyRequests: Number.isFinite(credits) ? Math.floor(credits * (options.share ?? 1)) : undefined,
      spentRetryMs: CREDITS_SPENT_BACKOFF_MS,
    },
    {
      ...(options.clock ? { clock: options.clock } : {}),
      spent: (retryAfterMs) =>
        new CrmError({
          kind: 'retryable',
          code: 'LIMIT_EXCEEDED',
          message: "The Zoho org's API credits for the last 24 hours are used up",
          retryAfterMs,
        }),
    },
  );
}
