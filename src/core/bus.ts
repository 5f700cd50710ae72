import { EventEmitter } from 'node:events';

/** Stops a handler hearing its channel. */
export type Unsubscribe = () => void;

/** What the bus logs: a failed publish, a message it could not read, a lost and found connection. */
export interface BusLog {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

/**
 * Messages between the processes of one install: each published JSON value reaches every handler of
 * the channel, in this process and (over Redis) in the others, the publisher's own included. There
 * is no history: a handler hears what is published once its subscription is in place.
 */
export interface Bus {
  /** Sends a JSON value; resolves once handed to the bus (not once heard). */
  publish(channel: string, message: unknown): Promise<void>;
  /**
   * Calls `handler` with each message of `channel`. The handler is in place at once; the promise
   * resolves once messages published from then on reach it (Redis acknowledged the subscription).
   * A handler that throws is logged; the others still hear the message.
   */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe>;
  /** Answers for the bus's own connection, when it has one (readiness); fails when it is away. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

export const silent: BusLog = { warn: () => undefined, info: () => undefined };

/** The bus of one process (embedded mode): what it publishes, only it hears. */
export class InProcessBus implements Bus {
  private readonly emitter = new EventEmitter();

  constructor(private readonly log: BusLog = silent) {
    this.emitter.setMaxListeners(0);
  }

  async publish(channel: string, message: unknown): Promise<void> {
    // Serialized as over Redis, so that no handler holds the publisher's object.
    const text = JSON.stringify(message);
    this.emitter.emit(channel, text);
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    const listener = (text: string) => deliver(this.log, channel, [handler], text);
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Parses a message once and hands it to each handler; a bad message or handler never escapes. */
export function deliver(
  log: BusLog,
  channel: string,
  handlers: readonly ((message: unknown) => void)[],
  text: string,
): void {
  if (handlers.length === 0) return;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    log.warn({ channel, err: (error as Error).message }, 'A bus message that is not JSON was dropped');
    return;
  }
  for (const handler of handlers) {
    try {
      handler(message);
    } catch (error) {
      log.warn({ channel, err: (error as Error).message }, 'A bus handler failed');
    }
  }
}
