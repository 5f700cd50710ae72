/**
 * A background worker's rhythm: run a pass now, then again `pollMs` after each one ends, never two at
 * once; `wake()` runs the next pass as soon as the current one is done. The media fetcher and the
 * webhook processor each drain their queue this way.
 */
export class BackgroundPass {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly options: { pollMs: number; onError: (error: unknown) => void },
  ) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Stops scheduling passes and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  wake(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.running ??= this.pass()
      .then(
        () => undefined,
        (error: unknown) => this.options.onError(error),
      )
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(() => this.wake(), this.options.pollMs);
      });
  }
}
