import type { Logger } from 'pino';
import type { SyncService } from './service.js';

export interface SyncWorkerOptions {
  /** Longest sleep between looks at the queue (another process may have queued work). */
  pollMs?: number;
}

/**
 * Runs due sync jobs one at a time in this process: the embedded scheduler. Each connection's job is
 * rescheduled by its run (every WASYNC_SYNC_INTERVAL, sooner after failures); "sync now" wakes the
 * worker at once; new connections get their first run on the next look.
 */
export class SyncWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly pollMs: number;

  constructor(
    private readonly sync: SyncService,
    private readonly logger: Logger,
    options: SyncWorkerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 2_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.sync.onEnqueue = () => this.wake();
    this.loop = this.work();
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Stops taking jobs and waits for the run in progress to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async work(): Promise<void> {
    while (this.running) {
      try {
        await this.sync.queue.scheduleNew(Date.now());
        const job = await this.sync.claimNext();
        if (job) {
          await this.sync.runJob(job);
          continue;
        }
        const next = await this.sync.queue.nextDue();
        await this.sleep(next === undefined ? this.pollMs : Math.min(this.pollMs, next - Date.now()));
      } catch (error) {
        this.logger.error({ err: error }, 'sync worker: could not read the queue');
        await this.sleep(this.pollMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
