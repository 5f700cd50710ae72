const HOUR_MS = 60 * 60 * 1000;

/**
 * The org's daily API allocation: a rolling 24-hour window, counted in hourly buckets, reported in
 * the `Sforce-Limit-Info` header of every data response.
 */
export class ApiUsage {
  private buckets = new Map<number, number>();

  constructor(
    readonly limit: number,
    private readonly clock: () => number,
  ) {}

  used(): number {
    const oldest = Math.floor(this.clock() / HOUR_MS) - 23;
    let total = 0;
    for (const [hour, count] of this.buckets) {
      if (hour < oldest) this.buckets.delete(hour);
      else total += count;
    }
    return total;
  }

  /** Counts one request if the allocation has room; false once it is used up. */
  tryConsume(): boolean {
    if (this.used() >= this.limit) return false;
    const hour = Math.floor(this.clock() / HOUR_MS);
    this.buckets.set(hour, (this.buckets.get(hour) ?? 0) + 1);
    return true;
  }

  header(): string {
    return `api-usage=${this.used()}/${this.limit}`;
  }

  reset(): void {
    this.buckets.clear();
  }
}
