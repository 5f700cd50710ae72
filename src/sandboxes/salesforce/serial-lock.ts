/**
 * One API request at a time per org. Handlers are synchronous except composite, which awaits its
 * subrequests; without this, a concurrent write could land inside a composite's allOrNone window
 * and be wiped by its rollback, or a read could see rows about to be rolled back. An org isolates
 * transactions; the sandbox serializes them.
 */
export class SerialLock {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves once the lock is held, with the function that releases it (safe to call twice). */
  async acquire(): Promise<() => void> {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => held);
    await previous;
    return release;
  }
}
