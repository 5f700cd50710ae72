import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';

/** What a key may do: so many attempts per window. */
export interface ThrottleRule {
  attempts: number;
  windowMs: number;
}

/** Rows untouched this long go, whatever their rule (no rule's window is longer). */
const FORGET_AFTER_MS = 24 * 3_600_000;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A fixed-window attempt counter per key, kept in the store so that every process on one database
 * counts together (rate-limiter-flexible would do this; it is not a dependency of wasync). Counting
 * is one atomic upsert, so parallel attempts cannot slip past the limit together.
 */
export class ThrottleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Counts an attempt for the key and says whether it is within the rule. A refused attempt counts
   * too, so hammering a locked key keeps it locked no longer than its window.
   */
  async consume(key: string, rule: ThrottleRule, now = Date.now()): Promise<ThrottleVerdict> {
    const expired = now - rule.windowMs;
    // Windows long over are forgotten, so the table holds only keys tried recently.
    await this.db
      .deleteFrom('auth_throttle')
      .where('window_start', '<=', now - Math.max(FORGET_AFTER_MS, rule.windowMs))
      .execute();
    const row = await this.db
      .insertInto('auth_throttle')
      .values({ key, attempts: 1, window_start: now })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          attempts: sql<number>`case when auth_throttle.window_start <= ${expired} then 1 else auth_throttle.attempts + 1 end`,
          window_start: sql<number>`case when auth_throttle.window_start <= ${expired} then ${now} else auth_throttle.window_start end`,
        }),
      )
      .returning(['attempts', 'window_start'])
      .executeTakeFirstOrThrow();
    if (Number(row.attempts) <= rule.attempts) return { allowed: true };
    return { allowed: false, retryAfterMs: Math.max(0, Number(row.window_start) + rule.windowMs - now) };
  }

  /** Gives one attempt back (a sign-in that succeeded is no attack from its address). */
  async refund(key: string): Promise<void> {
    await this.db
      .updateTable('auth_throttle')
      .set({ attempts: sql<number>`attempts - 1` })
      .where('key', '=', key)
      .where('attempts', '>', 0)
      .execute();
  }

  /** Forgets the key's attempts (an account whose owner just signed in). */
  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('auth_throttle').where('key', '=', key).execute();
  }
}
