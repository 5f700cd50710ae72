import { CrmError } from '../types.js';
import { OPERATION_LIMIT_WAIT_MS } from './errors.js';

/**
 * A method is blocked once it has run 480 s in 10 minutes (`limits.md`, "Resource Consumption
 * Limits"): past this share of it, wasync stops calling the method until the portal's window moves
 * on (`operating_reset_at`), so that a long backfill never meets 429 OPERATION_TIME_LIMIT.
 */
export const OPERATING_BUDGET_S = 400;
/** `time` of an answer (`limits.md`): seconds, `operating_reset_at` a Unix time. */
export interface Bitrix24Time {
  start?: number;
  finish?: number;
  duration?: number;
  processing?: number;
  operating?: number;
  operating_reset_at?: number;
}

/**
 * How long each method has run on the portal in its window, as the answers' `time` report it: shared
 * by the transports of one connection.
 */
export class OperatingTimes {
  private readonly blocked = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Throws a retryable error while `method` is near or past its operating time. */
  check(method: string): void {
    const until = this.blocked.get(method);
    if (until === undefined) return;
    const now = this.clock();
    if (now >= until) {
      this.blocked.delete(method);
      return;
    }
    throw new CrmError({
      kind: 'retryable',
      code: 'OPERATION_TIME_BUDGET',
      message: `${method} has used most of its operating time on the portal for these 10 minutes; waiting for the window to move on`,
      retryAfterMs: until - now,
    });
  }

  report(method: string, time: Bitrix24Time | undefined): void {
    if (time?.operating === undefined || time.operating < OPERATING_BUDGET_S) return;
    const resetAt = time.operating_reset_at !== undefined ? time.operating_reset_at * 1000 : undefined;
    this.block(method, resetAt ?? this.clock() + OPERATION_LIMIT_WAIT_MS);
  }

  block(method: string, until: number): void {
    this.blocked.set(method, Math.max(until, this.blocked.get(method) ?? 0));
  }

  /** The portal refused the method for its operating time: it is not called for `ms`. */
  blockFor(method: string, ms: number): void {
    this.block(method, this.clock() + ms);
  }
}
