import type { BackgroundJobKind, JobObservation } from './queue.js';
import type { SyncService } from './service.js';

export interface SyncWorkerOptions {
  /** One pass of each background job kind, as the queue delivers them (scale mode). */
  jobs?: Partial<Record<BackgroundJobKind, () => Promise<unknown>>>;
  /** Each job's wait and length, for the metrics. */
  observe?: (observation: JobObservation) => void;
}

/**
 * This process's share of the queued work: sync runs (each taking its connection's lease) and, in
 * scale mode, the background passes. In embedded mode it is the one scheduler; in scale mode every
 * worker process runs one, and BullMQ hands each job to one of them.
 */
export class SyncWorker {
  private started = false;

  constructor(
    private readonly sync: SyncService,
    private readonly options: SyncWorkerOptions = {},
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.sync.queue.start(this.sync.workHandlers(this.options.jobs, this.options.observe));
  }

  /** Stops taking jobs and waits for the ones in progress to finish. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.sync.queue.stop();
  }
}
