import { CONVERT_CREDITS } from './convert.js';
import { ZohoApiError } from './errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The credits a request costs (Zoho CRM API, "API Limits": 1 credit a call, Convert Lead 5; COQL by
 * its limit, 1 up to 200 rows, 2 up to 1000, 3 beyond: the crm-apis notes §2.8, unverified).
 */
export function creditsFor(method: string, route: string, body: unknown): number {
  if (route.endsWith('/actions/convert')) return CONVERT_CREDITS;
  if (method === 'POST' && route.endsWith('/coql')) {
    const query = (body as { select_query?: unknown } | null)?.select_query;
    const limit =
      typeof query === 'string' ? Number(/\blimit\s+(?:\d+\s*,\s*)?(\d+)/i.exec(query)?.[1] ?? 200) : 200;
    return limit <= 200 ? 1 : limit <= 1000 ? 2 : 3;
  }
  return 1;
}

/**
 * An org's API budget: credits spent in a rolling 24-hour window against the edition's budget, and
 * requests in flight against the concurrency limit. Past the concurrency limit the API answers 429
 * TOO_MANY_REQUESTS (the crm-apis notes §2.8 and the issue; unverified: the v8 OAS's 429 examples,
 * e.g. attachments getAttachmentById, show RATE_LIMIT_EXCEEDED, which the `429` fault answers, so a
 * client must go by the status); past the credits, 400 LIMIT_EXCEEDED (unverified: the code Zoho
 * answers when credits run out is not in the OAS).
 */
export class ApiBudget {
  private spent: { at: number; credits: number }[] = [];
  inFlight = 0;

  constructor(
    private readonly options: { dailyCredits: number; concurrencyLimit: number; clock: () => number },
  ) {}

  /** Admits a request or throws; the caller must call {@link release} once it is answered. */
  admit(credits: number): void {
    if (this.inFlight >= this.options.concurrencyLimit)
      throw new ZohoApiError(429, 'TOO_MANY_REQUESTS', 'concurrency limit exceeded', {
        limit: this.options.concurrencyLimit,
      });
    const now = this.options.clock();
    this.spent = this.spent.filter((entry) => entry.at > now - DAY_MS);
    if (this.used() + credits > this.options.dailyCredits)
      throw new ZohoApiError(400, 'LIMIT_EXCEEDED', 'API credit limit exceeded', {
        limit: this.options.dailyCredits,
      });
    this.spent.push({ at: now, credits });
    this.inFlight += 1;
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  used(): number {
    return this.spent.reduce((sum, entry) => sum + entry.credits, 0);
  }

  toJSON() {
    return {
      creditsUsed: this.used(),
      dailyCredits: this.options.dailyCredits,
      inFlight: this.inFlight,
      concurrencyLimit: this.options.concurrencyLimit,
    };
  }

  reset(): void {
    this.spent = [];
    this.inFlight = 0;
  }
}
