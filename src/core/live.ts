import { EventEmitter } from 'node:events';

/** What the workspace hears about as it happens (GET /api/v1/events streams these). */
export type LiveEvent =
  | { type: 'messages'; accountId: string; chatIds: string[] }
  | {
      type: 'sync';
      connectionId: string;
      state: 'done' | 'retrying' | 'parked' | 'busy';
      at: string;
      /** What the run did, in the line `wasync sync --once` prints; absent when it did nothing. */
      summary?: string;
    };

/**
 * An in-process channel from the parts that change things (ingest, sync) to the open browser pages.
 * It reaches the pages served by this process: in one-process mode that is everything; with separate
 * workers, a page hears what its own server stored and ran.
 */
export class LiveEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open page: many pages are normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get listeners(): number {
    return this.emitter.listenerCount('event');
  }
}
