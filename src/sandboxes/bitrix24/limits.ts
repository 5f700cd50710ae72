import { Bitrix24Error } from './method.js';

/**
 * The portal's request intensity limit, a leaky bucket (limits.md, "Request Intensity Limits"): each
 * request raises a counter, which drains by Y a second; once it is past X, requests answer 503
 * QUERY_LIMIT_EXCEEDED. Counted per portal and source address ("Bitrix24 only considers the IP
 * address"), so every application and webhook calling from one host shares it. A refused request
 * still raises the counter (unverified: "each incoming request" read strictly), so hammering a full
 * bucket keeps it full.
 */
export class LeakyBucket {
  private levels = new Map<string, { level: number; at: number }>();
  /** Requests the bucket refused (503 QUERY_LIMIT_EXCEEDED), apart from injected faults: tests prove it stays 0. */
  refused = 0;

  constructor(private readonly options: { burst: number; drainPerSecond: number; clock: () => number }) {}

  admit(source: string): void {
    const now = this.options.clock();
    const level = this.level(source, now) + 1;
    this.levels.set(source, { level, at: now });
    // _includes/system-errors.md: 503 QUERY_LIMIT_EXCEEDED "Too many requests".
    if (level > this.options.burst) {
      this.refused++;
      throw new Bitrix24Error(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
    }
  }

  level(source: string, now = this.options.clock()): number {
    const entry = this.levels.get(source);
    if (!entry) return 0;
    return Math.max(0, entry.level - ((now - entry.at) / 1000) * this.options.drainPerSecond);
  }

  toJSON() {
    const now = this.options.clock();
    return {
      burst: this.options.burst,
      drainPerSecond: this.options.drainPerSecond,
      refused: this.refused,
      levels: Object.fromEntries([...this.levels.keys()].map((key) => [key, this.level(key, now)])),
    };
  }

  reset(): void {
    this.levels.clear();
    this.refused = 0;
  }
}

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 10;

/**
 * The resource consumption limit (limits.md, "Resource Consumption Limits"): each method's execution
 * time is summed over 10 minutes, in one-minute parts (the crm-apis notes §3.6; `operating_reset_at`
 * is when a part is released); past the limit the method is blocked for every application and
 * webhook of the portal, 429 OPERATION_TIME_LIMIT (_includes/system-errors.md), until enough parts
 * expire. Other methods go on.
 */
export class OperatingTime {
  /** method → minute → seconds spent. */
  private spent = new Map<string, Map<number, number>>();

  constructor(private readonly options: { limitSeconds: number; clock: () => number }) {}

  /** Refuses a call to a blocked method. */
  check(method: string): void {
    if (this.operating(method) > this.options.limitSeconds)
      throw new Bitrix24Error(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
  }

  record(method: string, seconds: number): void {
    const minute = Math.floor(this.options.clock() / MINUTE_MS);
    const parts = this.spent.get(method) ?? new Map<number, number>();
    parts.set(minute, (parts.get(minute) ?? 0) + seconds);
    this.spent.set(method, parts);
  }

  /** Seconds the method spent in the last 10 minutes. */
  operating(method: string): number {
    let total = 0;
    for (const seconds of this.live(method).values()) total += seconds;
    return total;
  }

  /** When (seconds since the epoch) the oldest part of the method's window is released. */
  resetAt(method: string): number {
    const minutes = [...this.live(method).keys()];
    const oldest = minutes.length > 0 ? Math.min(...minutes) : Math.floor(this.options.clock() / MINUTE_MS);
    return ((oldest + WINDOW_MINUTES) * MINUTE_MS) / 1000;
  }

  private live(method: string): Map<number, number> {
    const parts = this.spent.get(method);
    if (!parts) return new Map();
    const current = Math.floor(this.options.clock() / MINUTE_MS);
    for (const minute of parts.keys()) if (minute <= current - WINDOW_MINUTES) parts.delete(minute);
    return parts;
  }

  toJSON() {
    return {
      limitSeconds: this.options.limitSeconds,
      operating: Object.fromEntries([...this.spent.keys()].map((method) => [method, this.operating(method)])),
    };
  }

  reset(): void {
    this.spent.clear();
  }
}
