import { Redis } from 'ioredis';
import { type Bus, type BusLog, deliver, silent, type Unsubscribe } from './bus.js';

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
