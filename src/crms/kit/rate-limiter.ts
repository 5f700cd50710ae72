import { setTimeout as sleepFor } from 'node:timers/promises';
import { CrmError } from '../types.js';

/** What a CRM lets one connection spend; each part is optional (no limit). */
export interface RateBudget {
  /** Requests started in any one second. */
  requestsPerSecond?: number | undefined;
  /** Requests in flight at once. */
  concurrency?: number | undefined;
  /** Requests per rolling window (a day), when known up front; the CRM's own report replaces it. */
  dailyRequests?: number | undefined;
  /** The rolling window, counted in buckets (default a day in hours, as Salesforce counts). */
  windowMs?: number | undefined;
  bucketMs?: number | undefined;
  /** How long to wait once the CRM reports the allocation spent (its window's end is not known). */
  spentRetryMs?: number | undefined;
}

/** A request's place in the budget; release it once its answer is read. */
export interface RateSlot {
  release(): void;
}

/**
 * A connection's rate limiter. Requests wait for a slot (per second, concurrency); once the daily
 * allocation is spent, `acquire` fails with a retryable CrmError whose retryAfterMs says when the
 * window has room. In-process here; a scale mode backs the same interface with Redis.
 */
export interface RateLimiter {
  acquire(signal?: AbortSignal): Promise<RateSlot>;
  /** What the CRM says of the allocation (used of max), e.g. from Salesforce's `Sforce-Limit-Info`. */
  reportUsage(usage: { used: number; max: number }): void;
  /**
   * The CRM refused a request because the allocation is spent: requests fail here, without being
   * sent, for `retryAfterMs` (the CRM's word, or `spentRetryMs`), or until it reports room again.
   */
  reportSpent(retryAfterMs?: number): void;
}

export interface RateLimiterOptions {
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The error of a spent allocation, in the CRM's words. */
  spent?: (retryAfterMs: number) => CrmError;
}

const SECOND_MS = 1_000;

export class InProcessRateLimiter implements RateLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly starts: number[] = [];
  /** Requests counted per bucket start (ms) of the rolling window. */
  private readonly buckets = new Map<number, number>();
  private reported: { used: number; max: number } | undefined;
  /** Until when the CRM's refusal holds: then a request goes to ask again. */
  private spentUntil: number | undefined;
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly budget: RateBudget,
    private readonly options: RateLimiterOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}));
  }

  async acquire(signal?: AbortSignal): Promise<RateSlot> {
    this.checkAllocation();
    await this.enter(signal);
    try {
      const perSecond = this.budget.requestsPerSecond;
      for (;;) {
        const now = this.clock();
        while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - SECOND_MS) this.starts.shift();
        if (perSecond === undefined || this.starts.length < perSecond) break;
        await this.sleep((this.starts[0] ?? now) + SECOND_MS - now, signal);
      }
      this.checkAllocation();
    } catch (error) {
      this.leave();
      throw error;
    }
    const now = this.clock();
    this.starts.push(now);
    const bucket = now - (now % this.bucketMs);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.leave();
      },
    };
  }

  reportUsage(usage: { used: number; max: number }): void {
    this.reported = { ...usage };
    // Room again (or an org allowed past its allocation for a while): the refusal no longer holds.
    if (usage.used < usage.max) this.spentUntil = undefined;
  }

  reportSpent(retryAfterMs?: number): void {
    this.spentUntil = this.clock() + (retryAfterMs ?? this.budget.spentRetryMs ?? 30 * 60_000);
  }

  /** The CRM's last report of its allocation, for status and benchmarks. */
  get usage(): { used: number; max: number } | undefined {
    return this.reported;
  }

  private get bucketMs(): number {
    return this.budget.bucketMs ?? 60 * 60_000;
  }

  private get windowMs(): number {
    return this.budget.windowMs ?? 24 * 60 * 60_000;
  }

  /**
   * Throws while the CRM's refusal of a spent allocation holds, or when our own count of a budget
   * known up front is spent. The CRM's report alone does not stop requests: an org may let some
   * through past its allocation (Salesforce's api-bursts), and only its refusal says it will not.
   */
  private checkAllocation(): void {
    const now = this.clock();
    if (this.spentUntil !== undefined) {
      if (now < this.spentUntil) this.fail(this.spentUntil - now);
      this.spentUntil = undefined;
    }
    const oldest = now - this.windowMs;
    for (const start of this.buckets.keys()) if (start + this.bucketMs <= oldest) this.buckets.delete(start);
    const daily = this.budget.dailyRequests;
    if (daily === undefined) return;
    let used = 0;
    for (const count of this.buckets.values()) used += count;
    if (used < daily) return;
    // Room comes back when the oldest bucket leaves the window.
    const first = Math.min(...this.buckets.keys());
    this.fail(Math.max(0, first + this.bucketMs + this.windowMs - now));
  }

  private fail(retryAfterMs: number): never {
    throw (
      this.options.spent?.(retryAfterMs) ??
      new CrmError({
        kind: 'retryable',
        code: 'DAILY_LIMIT_REACHED',
        message: "The CRM's daily request allocation is used up",
        retryAfterMs,
      })
    );
  }

  private async enter(signal?: AbortSignal): Promise<void> {
    const limit = this.budget.concurrency;
    if (limit === undefined || this.active < limit) {
      this.active++;
      return;
    }
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        const at = this.waiting.indexOf(turn);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.push(turn);
    });
    // The slot was handed over by leave(): `active` already counts it.
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
