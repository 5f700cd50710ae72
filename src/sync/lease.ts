import type { Logger } from 'pino';
import type { ClaimedJob } from './queue.js';
import type { SyncRuns } from './sync-runs.js';

/** The run's lease went to another process: it stops where it is and writes nothing more. */
export class LeaseLost extends Error {
  constructor(reason: string) {
    super(`The sync lease was lost: ${reason}`);
    this.name = 'LeaseLost';
  }
}

/**
 * A run's hold on its connection. It renews the lease in the background and confirms it before each
 * write; once the lease is gone (another process took it, or it ran out without renewal), `signal`
 * aborts, cutting the CRM requests in flight, and every later confirmation throws LeaseLost. The next
 * holder finishes the work from the ledger: an intent recorded before a cut call is retried as uncertain.
 */
export class RunLease {
  private readonly controller = new AbortController();
  private heldUntil: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      runs: SyncRuns;
      job: ClaimedJob;
      leaseMs: number;
      logger: Logger;
      /** The queue's own hold on the job: once it is lost, so is the run. */
      signal?: AbortSignal | undefined;
    },
  ) {
    this.heldUntil = Date.now() + options.leaseMs;
    const { signal } = options;
    if (signal?.aborted) this.lose('the queue took the job back');
    else signal?.addEventListener('abort', () => this.lose('the queue took the job back'), { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Renews every third of the lease, so a renewal or two may fail before it runs out. */
  start(): void {
    this.timer = setInterval(
      () => void this.renew().catch(() => undefined),
      Math.max(250, Math.floor(this.options.leaseMs / 3)),
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Before a write: the lease is renewed now, so no other process can take it during the call. */
  async confirm(): Promise<void> {
    this.throwIfLost();
    await this.renew();
    this.throwIfLost();
  }

  throwIfLost(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  /**
   * Before each CRM request, by the clock alone: a process paused past its lease's end (a stop, a long
   * pause) wakes with requests ready to send before any timer could renew or notice; none is sent.
   */
  beforeRequest(): void {
    if (Date.now() >= this.heldUntil) this.lose('it ran out before it was renewed');
    this.throwIfLost();
  }

  private async renew(): Promise<void> {
    if (this.signal.aborted) return;
    const now = Date.now();
    let held: boolean;
    try {
      held = await this.options.runs.extend(this.options.job, this.options.leaseMs);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'lease renewal failed');
      // Unrenewed past its end, the lease is anyone's: stop before another process starts.
      if (Date.now() >= this.heldUntil) this.lose('it ran out while it could not be renewed');
      return;
    }
    if (held) this.heldUntil = now + this.options.leaseMs;
    else this.lose('another process holds it');
  }

  private lose(reason: string): void {
    if (this.signal.aborted) return;
    this.options.logger.warn({ reason }, 'sync lease lost; this run stops');
    this.controller.abort(new LeaseLost(reason));
  }
}
