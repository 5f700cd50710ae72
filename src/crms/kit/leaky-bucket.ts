import { setTimeout as sleepFor } from 'node:timers/promises';
import { InProcessRateLimiter, type RateLimiter, type RateSlot } from './rate-limiter.js';

/** A bucket's shape: how many requests it holds, and how fast it drains. */
export interface BucketRule {
  capacity: number;
  drainPerSecond: number;
}

export type BucketTake = { taken: true } | { taken: false; waitMs: number };

/**
 * Where a bucket's level lives: this process (`InMemoryBucketStore`) or the store's table
 * (`RateBucketRepository`), which every process on one database shares.
 */
export interface BucketStore {
  /**
   * Atomically: the level drains by `drainPerSecond` since it was last written (never below 0);
   * if one more fits within the capacity it is added and the take succeeds, otherwise the level is
   * left alone and `waitMs` says when one more will fit.
   */
  take(key: string, rule: BucketRule, now: number): Promise<BucketTake>;
  /** Raises the level to `level` (the capacity when not given), never lowering it. */
  fill(key: string, rule: BucketRule, now: number, level?: number): Promise<void>;
}

/** What a CRM lets one bucket spend (a Bitrix24 portal, counted per source address). */
export interface LeakyBucketBudget {
  /**
   * Requests the bucket holds before requests wait. Pass the CRM's threshold less a headroom, not
   * the threshold itself: other applications and webhooks calling the same portal from the same
   * address fill the CRM's bucket too, and processes' clocks differ a little, so a bucket run up
   * to the CRM's own number would meet its refusal in normal running. Bitrix24 blocks a portal's
   * requests from one address once its counter is past 50, drained 2 a second (Enterprise: 250 and 5;
   * limits.md, "Request Intensity Limits").
   */
  capacity: number;
  /** Units drained a second (the CRM's). */
  drainPerSecond: number;
  /** Requests in flight at once, in this process. */
  concurrency?: number | undefined;
}

export interface LeakyBucketOptions {
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * A rate limiter over a leaky bucket: each request adds one to the bucket's level, which drains at
 * a steady rate, and a request that would take it past the capacity waits until enough has
 * drained. Over a shared store, every process counts against one level, as the CRM does.
 *
 * In this process one request at a time asks the store (the others wait their turn in order), so
 * a queue of waiting requests costs the database one take per wait, not one per request.
 */
export class LeakyBucketLimiter implements RateLimiter {
  private readonly rule: BucketRule;
  /** Requests in flight (the budget's concurrency). */
  private readonly slots: InProcessRateLimiter;
  /** Whose turn it is to take from the bucket. */
  private readonly turn = new InProcessRateLimiter({ concurrency: 1 });
  /** A fill under way (the CRM refused): takes wait for it to land. */
  private filling: Promise<void> | undefined;
  /** Until when this process waits after a refusal, should the fill not have reached the store. */
  private spentUntil = 0;
  private readonly clock: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly store: BucketStore,
    private readonly key: string,
    budget: LeakyBucketBudget,
    options: LeakyBucketOptions = {},
  ) {
    if (!(budget.capacity >= 1) || !(budget.drainPerSecond > 0)) {
      throw new Error(`a leaky bucket needs a capacity of at least 1 and a drain above 0 (${key})`);
    }
    this.rule = { capacity: budget.capacity, drainPerSecond: budget.drainPerSecond };
    this.slots = new InProcessRateLimiter({ concurrency: budget.concurrency });
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}));
  }

  async acquire(signal?: AbortSignal): Promise<RateSlot> {
    const slot = await this.slots.acquire(signal);
    try {
      const turn = await this.turn.acquire(signal);
      try {
        await this.take(signal);
      } finally {
        turn.release();
      }
    } catch (error) {
      slot.release();
      throw error;
    }
    return slot;
  }

  /** The bucket's CRM reports no level to go by (Bitrix24 answers only with its refusal). */
  reportUsage(_usage: { used: number; max: number }): void {}

  /**
   * The CRM refused a request (Bitrix24's 503 QUERY_LIMIT_EXCEEDED) although the bucket had room:
   * someone else fills the CRM's bucket. The shared level is set full, so that every process waits
   * one unit's drain, or `retryAfterMs` where the CRM named a longer wait.
   */
  reportSpent(retryAfterMs?: number): void {
    const now = this.clock();
    const unitMs = 1_000 / this.rule.drainPerSecond;
    const waitMs = Math.max(unitMs, retryAfterMs ?? 0);
    this.spentUntil = Math.max(this.spentUntil, now + waitMs);
    // The level from which one more fits after waitMs.
    const level = this.rule.capacity - 1 + waitMs / unitMs;
    const previous = this.filling;
    const filling = (async () => {
      await previous;
      await this.store.fill(this.key, this.rule, now, level);
    })()
      // A fill that failed leaves this process's own wait (spentUntil): the next take is its judge.
      .catch(() => undefined)
      .finally(() => {
        if (this.filling === filling) this.filling = undefined;
      });
    this.filling = filling;
  }

  private async take(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.filling) await this.filling;
      const now = this.clock();
      if (now < this.spentUntil) {
        await this.sleep(this.spentUntil - now, signal);
        continue;
      }
      const answer = await this.store.take(this.key, this.rule, now);
      if (answer.taken) return;
      await this.sleep(answer.waitMs, signal);
    }
  }
}

/** Buckets of this process alone: for one process, and for tests. */
export class InMemoryBucketStore implements BucketStore {
  private readonly levels = new Map<string, { level: number; at: number }>();

  async take(key: string, rule: BucketRule, now: number): Promise<BucketTake> {
    const level = this.level(key, rule, now);
    if (level + 1 <= rule.capacity) {
      this.set(key, level + 1, now);
      return { taken: true };
    }
    const perMs = rule.drainPerSecond / 1_000;
    return { taken: false, waitMs: Math.max(1, Math.ceil((level + 1 - rule.capacity) / perMs)) };
  }

  async fill(key: string, rule: BucketRule, now: number, level = rule.capacity): Promise<void> {
    this.set(key, Math.max(level, this.level(key, rule, now)), now);
  }

  /** The key's level drained to `now` (0 for a bucket never taken from). */
  level(key: string, rule: BucketRule, now: number): number {
    const entry = this.levels.get(key);
    if (!entry) return 0;
    const elapsed = Math.max(0, now - entry.at);
    return Math.max(0, entry.level - (elapsed * rule.drainPerSecond) / 1_000);
  }

  /** As in the store, a bucket's time moves forward only. */
  private set(key: string, level: number, now: number): void {
    this.levels.set(key, { level, at: Math.max(now, this.levels.get(key)?.at ?? now) });
  }
}

/** What a CRM kind is handed: the bucket of a key, over the given store. */
export type RateBuckets = (key: string, budget: LeakyBucketBudget) => RateLimiter;

/**
 * Buckets by key over one store. Within the process one limiter serves a key (and budget), so two
 * connections to one portal share its turn and its concurrency as they share its level.
 */
export function rateBuckets(store: BucketStore, options: LeakyBucketOptions = {}): RateBuckets {
  const limiters = new Map<string, LeakyBucketLimiter>();
  return (key, budget) => {
    const id = JSON.stringify([key, budget.capacity, budget.drainPerSecond, budget.concurrency ?? null]);
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new LeakyBucketLimiter(store, key, budget, options);
      limiters.set(id, limiter);
    }
    return limiter;
  };
}

/** Buckets kept in this process alone, for tests and a kind's own unit tests. */
export function inMemoryRateBuckets(options: LeakyBucketOptions = {}): RateBuckets {
  return rateBuckets(new InMemoryBucketStore(), options);
}
