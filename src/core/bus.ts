import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

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
  close(): Promise<void>;
}

const silent: BusLog = { warn: () => undefined, info: () => undefined };

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

export interface RedisBusOptions {
  url: string;
  /**
   * Put before every channel name (`<prefix>:<channel>`), so that several installs, or test suites,
   * share one Redis without hearing each other. Default `wasync`.
   */
  prefix?: string | undefined;
  log?: BusLog | undefined;
}

/**
 * The bus over Redis pub/sub (scale mode): one connection publishes, a second one subscribes (a
 * subscribed Redis connection may send nothing else). ioredis reconnects both on its own and
 * subscribes again to the channels of the lost connection; what was published in between is lost.
 */
export class RedisBus implements Bus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly log: BusLog;
  private readonly handlers = new Map<string, Set<(message: unknown) => void>>();

  constructor(options: RedisBusOptions) {
    this.prefix = `${options.prefix ?? 'wasync'}:`;
    this.log = options.log ?? silent;
    // A SUBSCRIBE sent while Redis is away waits for it (null: no retry limit) instead of failing.
    this.subscriber = this.connect(options.url, 'subscriber', null);
    this.publisher = this.connect(options.url, 'publisher', 1);
    this.subscriber.on('message', (full: string, text: string) => {
      if (!full.startsWith(this.prefix)) return;
      const channel = full.slice(this.prefix.length);
      deliver(this.log, channel, [...(this.handlers.get(channel) ?? [])], text);
    });
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.publisher.publish(this.prefix + channel, JSON.stringify(message));
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<Unsubscribe> {
    let handlers = this.handlers.get(channel);
    const first = !handlers;
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(channel, handlers);
    }
    handlers.add(handler);
    const unsubscribe = () => {
      const current = this.handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0) return;
      this.handlers.delete(channel);
      this.subscriber.unsubscribe(this.prefix + channel).catch(() => undefined);
    };
    if (first) await this.subscriber.subscribe(this.prefix + channel);
    return unsubscribe;
  }

  /**
   * PING on the publishing connection (readiness). Fails at once while ioredis is between attempts
   * to reconnect; on a first connection still under way, the PING waits for it (or its failure).
   */
  async ping(): Promise<void> {
    const { status } = this.publisher;
    if (status === 'reconnecting' || status === 'close' || status === 'end')
      throw new Error(`Redis is not connected (${status})`);
    let answer: string;
    try {
      answer = await this.publisher.ping();
    } catch (error) {
      throw new Error(`Redis is not reachable: ${(error as Error).message}`);
    }
    if (answer !== 'PONG') throw new Error(`Redis answered PING with ${answer}`);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.all([this.publisher, this.subscriber].map(end));
  }

  /** A connection that logs the first error of an outage (not every retry) and its return. */
  private connect(url: string, role: string, maxRetriesPerRequest: number | null): Redis {
    // Named, so that CLIENT LIST tells an install's bus connections apart.
    const client = new Redis(url, { maxRetriesPerRequest, connectionName: `${this.prefix}bus-${role}` });
    let lost = false;
    client.on('error', (error: Error) => {
      if (lost) return;
      lost = true;
      this.log.warn({ role, err: error.message }, 'The bus lost Redis; reconnecting');
    });
    client.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.log.info({ role }, 'The bus reached Redis again');
    });
    return client;
  }
}

/** Ends a connection: QUIT when connected (what was sent goes first), else drops its retries. */
async function end(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
  } else client.disconnect();
}

/** Parses a message once and hands it to each handler; a bad message or handler never escapes. */
function deliver(
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
