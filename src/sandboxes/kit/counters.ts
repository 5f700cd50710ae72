/** How many requests reached a sandbox and where, and which faults struck: for tests that count calls. */
export class RequestCounters {
  total = 0;
  byRoute = new Map<string, number>();
  faults = new Map<string, number>();

  recordRequest(route: string): void {
    this.total++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  recordFault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  toJSON() {
    return {
      total: this.total,
      byRoute: Object.fromEntries(this.byRoute),
      faults: Object.fromEntries(this.faults),
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
    this.faults.clear();
  }
}
