import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type Bus, type BusLog, InProcessBus, type Unsubscribe } from './bus.js';

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
      /** The process that ran it (host:pid): in scale mode, which worker. */
      by?: string;
    };

/** The bus channel the processes' live events travel on. */
export const LIVE_CHANNEL = 'live-events';

const SYNC_STATES: ReadonlySet<string> = new Set(['done', 'retrying', 'parked', 'busy']);

/**
 * The channel from the parts that change things (ingest, sync) to the open browser pages. An event
 * reaches this process's pages at once, and goes out on the bus tagged with this process's origin;
 * the other processes on the bus (scale mode: API processes and workers on one Redis) hand it to
 * their pages, while this process skips its own, so every page hears each event once.
 */
export class LiveEvents {
  private readonly emitter = new EventEmitter();
  /** This process's mark on what it publishes. */
  private readonly origin = randomUUID();
  /** Resolves once events of the other processes reach this one (undefined: the bus failed). */
  readonly listening: Promise<Unsubscribe | undefined>;
  private stopped = false;

  constructor(
    private readonly bus: Bus = new InProcessBus(),
    private readonly log: BusLog = { warn: () => undefined, info: () => undefined },
  ) {
    // One listener per open page: many pages are normal, not a leak.
    this.emitter.setMaxListeners(0);
    this.listening = bus
      .subscribe(LIVE_CHANNEL, (message) => this.receive(message))
      .catch((error: unknown) => {
        if (!this.stopped)
          log.warn({ err: (error as Error).message }, 'Live events of other processes will not arrive');
        return undefined;
      });
  }

  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
    this.bus.publish(LIVE_CHANNEL, { origin: this.origin, event }).catch((error: unknown) => {
      this.log.warn(
        { err: (error as Error).message, type: event.type },
        'A live event did not reach the bus',
      );
    });
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** The pages of this process listening now. */
  get listeners(): number {
    return this.emitter.listenerCount('event');
  }

  /**
   * Stops hearing the other processes (the bus itself is closed by its owner). Does not wait for a
   * subscription still on its way: a Redis away since the start would hold the shutdown up.
   */
  stop(): void {
    this.stopped = true;
    void this.listening.then((unsubscribe) => unsubscribe?.());
  }

  private receive(message: unknown): void {
    if (!isRecord(message) || message.origin === this.origin) return;
    const event = liveEventOf(message.event);
    if (event) this.emitter.emit('event', event);
    else this.log.warn({ channel: LIVE_CHANNEL }, 'A live event of an unknown shape was dropped');
  }
}

/** A live event from another process, checked field by field (it may run another version). */
function liveEventOf(value: unknown): LiveEvent | undefined {
  if (!isRecord(value)) return undefined;
  if (
    value.type === 'messages' &&
    typeof value.accountId === 'string' &&
    Array.isArray(value.chatIds) &&
    value.chatIds.every((id) => typeof id === 'string')
  ) {
    return { type: 'messages', accountId: value.accountId, chatIds: value.chatIds as string[] };
  }
  if (
    value.type === 'sync' &&
    typeof value.connectionId === 'string' &&
    typeof value.state === 'string' &&
    SYNC_STATES.has(value.state) &&
    typeof value.at === 'string' &&
    (value.summary === undefined || typeof value.summary === 'string')
  ) {
    return {
      type: 'sync',
      connectionId: value.connectionId,
      state: value.state as 'done' | 'retrying' | 'parked' | 'busy',
      at: value.at,
      ...(value.summary === undefined ? {} : { summary: value.summary }),
      ...(typeof value.by === 'string' ? { by: value.by } : {}),
    };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
