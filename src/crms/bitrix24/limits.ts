/**
 * The portal's leaky bucket (b24restdocs `limits.md`, "Request Intensity Limits"): each request adds
 * one, the counter drains by a fixed rate a second, and past the threshold the portal answers 503
 * QUERY_LIMIT_EXCEEDED. 50 and 2 a second on standard plans, 250 and 5 on Enterprise. The bucket is the
 * portal's and the caller's address's: every wasync process of every connection to one portal shares it.
 */
export const BITRIX24_PLANS = {
  standard: { label: 'Standard, Professional and others', threshold: 50, drainPerSecond: 2 },
  enterprise: { label: 'Enterprise', threshold: 250, drainPerSecond: 5 },
} as const;

export type Bitrix24Plan = keyof typeof BITRIX24_PLANS;
export const BITRIX24_PLAN_NAMES = Object.keys(BITRIX24_PLANS) as [Bitrix24Plan, ...Bitrix24Plan[]];

/**
 * Room left in the portal's bucket for others on the same address (the portal's own apps, a person's
 * scripts) and for the drain of the request in flight: wasync fills at most 80% of it.
 */
const HEADROOM = 0.8;

/** The bucket wasync keeps for a portal: the portal's drain rate, 80% of its threshold. */
export function bitrix24Budget(plan: Bitrix24Plan): { capacity: number; drainPerSecond: number } {
  const { threshold, drainPerSecond } = BITRIX24_PLANS[plan];
  return { capacity: Math.floor(threshold * HEADROOM), drainPerSecond };
}

/** The bucket's key: one per portal host, whichever connection or process calls it. */
export function bucketKey(portalUrl: string): string {
  return `bitrix24:${new URL(portalUrl).host.toLowerCase()}`;
}
