import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../schema.js';

/** A bucket's shape: how many requests it holds, and how fast it drains. */
export interface BucketRule {
  capacity: number;
  drainPerSecond: number;
}

export type BucketTake = { taken: true } | { taken: false; waitMs: number };

/**
 * Leaky buckets kept in the store (one row per key), so that every process on one database fills
 * and drains the same level: Bitrix24 counts a portal's requests per source address, whichever
 * worker sent them. A take is one atomic upsert whose drain is computed in SQL from the row as it
 * stands: on Postgres the conflicting row is locked and the condition re-checked on its latest
 * version, and SQLite runs one write at a time, so parallel takes cannot slip past the capacity
 * together. Times are the callers' (`now`, epoch ms); a process whose clock lags does not move a
 * bucket's time back, it only drains nothing.
 */
export class RateBucketRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Adds one to the key's level if it stays within the capacity once drained to `now`; otherwise
   * leaves the row as it is and says how long until one more fits.
   */
  async take(key: string, rule: BucketRule, now: number): Promise<BucketTake> {
    checkRule(rule);
    const drained = drainedLevel(rule, now);
    const capacity = sql`cast(${rule.capacity} as double precision)`;
    const row = await this.db
      .insertInto('crm_rate_buckets')
      .values({ key, level: 1, updated_at: now })
      .onConflict((conflict) =>
        conflict
          .column('key')
          .doUpdateSet({
            level: sql<number>`${drained} + 1`,
            updated_at: laterTime(now),
          })
          .where(sql<boolean>`${drained} + 1 <= ${capacity}`),
      )
      .returning('key')
      .executeTakeFirst();
    if (row) return { taken: true };
    // Refused: the row was left alone. What it holds now says when to try again (a hint only; the
    // next take decides again, atomically).
    const level = (await this.level(key, rule, now)) ?? 0;
    const perMs = rule.drainPerSecond / 1_000;
    return { taken: false, waitMs: Math.max(1, Math.ceil((level + 1 - rule.capacity) / perMs)) };
  }

  /**
   * Raises the key's level to `level` (full by default; never lowers it): the CRM refused a request
   * although the bucket said there was room (another application calling from the same address), so
   * every process waits for it to drain.
   */
  async fill(key: string, rule: BucketRule, now: number, level = rule.capacity): Promise<void> {
    checkRule(rule);
    const drained = drainedLevel(rule, now);
    const wanted = sql`cast(${level} as double precision)`;
    await this.db
      .insertInto('crm_rate_buckets')
      .values({ key, level, updated_at: now })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({
          level: sql<number>`case when ${drained} > ${wanted} then ${drained} else ${wanted} end`,
          updated_at: laterTime(now),
        }),
      )
      .execute();
  }

  /** The key's level drained to `now`; undefined for a bucket never filled. */
  async level(key: string, rule: BucketRule, now: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('crm_rate_buckets')
      .select(['level', 'updated_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    const elapsed = Math.max(0, now - Number(row.updated_at));
    return Math.max(0, Number(row.level) - (elapsed * rule.drainPerSecond) / 1_000);
  }
}

function checkRule(rule: BucketRule): void {
  if (!(rule.capacity >= 1) || !(rule.drainPerSecond > 0)) {
    throw new Error(
      `a rate bucket needs a capacity of at least 1 and a drain above 0, not ${JSON.stringify(rule)}`,
    );
  }
}

/**
 * The stored level drained to `now`, in SQL over the row being updated. Casts fix the parameters'
 * types, which Postgres would otherwise infer from the bigint column beside them.
 */
function drainedLevel(rule: BucketRule, now: number): RawBuilder<number> {
  const at = sql`cast(${now} as bigint)`;
  const perMs = sql`cast(${rule.drainPerSecond / 1_000} as double precision)`;
  const elapsed = sql`(case when ${at} > crm_rate_buckets.updated_at then ${at} - crm_rate_buckets.updated_at else 0 end)`;
  const left = sql`crm_rate_buckets.level - ${elapsed} * ${perMs}`;
  return sql<number>`(case when ${left} > 0 then ${left} else 0 end)`;
}

/** A bucket's time moves forward only (processes' clocks differ a little). */
function laterTime(now: number): RawBuilder<number> {
  const at = sql`cast(${now} as bigint)`;
  return sql<number>`case when ${at} > crm_rate_buckets.updated_at then ${at} else crm_rate_buckets.updated_at end`;
}
