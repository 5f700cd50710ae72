import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BusLog, InProcessBus } from '../src/core/bus.js';
import { LIVE_CHANNEL, type LiveEvent, LiveEvents } from '../src/core/live.js';
import { RedisBus } from '../src/core/redis-bus.js';
import { describeWithRedis, dropPrefix, uniquePrefix } from './support/redis.js';

/** A log that keeps what it was told, to assert on what was dropped. */
function keptLog(): BusLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_details, message) => lines.push(message), info: () => undefined };
}

describe('the in-process bus', () => {
  it('hands each message to every handler of its channel until unsubscribed', async () => {
    const bus = new InProcessBus();
    const heard: unknown[] = [];
    const other: unknown[] = [];
    const unsubscribe = await bus.subscribe('a', (message) => heard.push(message));
    await bus.subscribe('b', (message) => other.push(message));
    await bus.publish('a', { n: 1 });
    unsubscribe();
    await bus.publish('a', { n: 2 });
    expect(heard).toEqual([{ n: 1 }]);
    expect(other).toEqual([]);
    await bus.close();
  });

  it('keeps a failing handler from the others', async () => {
    const log = keptLog();
    const bus = new InProcessBus(log);
    const heard: unknown[] = [];
    await bus.subscribe('a', () => {
      throw new Error('boom');
    });
    await bus.subscribe('a', (message) => heard.push(message));
    await bus.publish('a', 'x');
    expect(heard).toEqual(['x']);
    expect(log.lines).toEqual(['A bus handler failed']);
  });
});

describeWithRedis('the Redis bus', (url) => {
  let prefix: string;
  const open: RedisBus[] = [];
  const bus = (options: { prefix?: string; log?: BusLog } = {}) => {
    const created = new RedisBus({ url, prefix: options.prefix ?? prefix, log: options.log });
    open.push(created);
    return created;
  };
  beforeEach(() => {
    prefix = uniquePrefix('bus');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    await dropPrefix(url, prefix);
  });

  it('carries JSON between two processes on one prefix, and not to another prefix', async () => {
    const [a, b, elsewhere] = [bus(), bus(), bus({ prefix: `${prefix}-other` })];
    const heardByA: unknown[] = [];
    const heardByB: unknown[] = [];
    const heardElsewhere: unknown[] = [];
    await a.subscribe('news', (message) => heardByA.push(message));
    await b.subscribe('news', (message) => heardByB.push(message));
    await elsewhere.subscribe('news', (message) => heardElsewhere.push(message));
    await b.publish('news', { from: 'b', list: [1, 'two'] });
    await expect.poll(() => heardByA).toEqual([{ from: 'b', list: [1, 'two'] }]);
    await expect.poll(() => heardByB).toEqual([{ from: 'b', list: [1, 'two'] }]);
    // The other prefix's handler hears its own publish, and only that: the first one never came.
    await elsewhere.publish('news', 'own');
    await expect.poll(() => heardElsewhere).toEqual(['own']);
  });

  it('logs and drops a message that is not JSON, and goes on', async () => {
    const log = keptLog();
    const a = bus({ log });
    const heard: unknown[] = [];
    await a.subscribe('news', (message) => heard.push(message));
    const raw = new Redis(url);
    try {
      await raw.publish(`${prefix}:news`, '{not json');
    } finally {
      raw.disconnect();
    }
    await a.publish('news', 'after');
    await expect.poll(() => heard).toEqual(['after']);
    expect(log.lines).toEqual(['A bus message that is not JSON was dropped']);
  });

  it('stops a handler on unsubscribe, leaving the channel to the others', async () => {
    const a = bus();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const unsubscribe = await a.subscribe('news', (message) => first.push(message));
    const unsubscribeSecond = await a.subscribe('news', (message) => second.push(message));
    unsubscribe();
    await a.publish('news', 1);
    await expect.poll(() => second).toEqual([1]);
    expect(first).toEqual([]);
    unsubscribeSecond();
    const again = await a.subscribe('news', (message) => second.push(message));
    await a.publish('news', 2);
    await expect.poll(() => second).toEqual([1, 2]);
    again();
  });

  it('subscribes again after Redis drops the subscribing connection', async () => {
    const log = keptLog();
    const a = bus({ log });
    const b = bus();
    const heard: unknown[] = [];
    await a.subscribe('news', (message) => heard.push(message));
    const admin = new Redis(url);
    try {
      const clients = await admin.client('LIST');
      const subscriber = String(clients)
        .split('\n')
        .find((line) => line.includes(`name=${prefix}:bus-subscriber`));
      const id = /\bid=(\d+)/.exec(subscriber ?? '')?.[1];
      if (!id) throw new Error(`no subscriber connection in ${String(clients)}`);
      await admin.client('KILL', 'ID', id);
    } finally {
      admin.disconnect();
    }
    // Until ioredis has subscribed again, a publish reaches nobody: publish until one is heard.
    await expect
      .poll(
        async () => {
          await b.publish('news', 'back');
          return heard.length > 0;
        },
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
    expect(heard[0]).toBe('back');
  });

  it('answers PING while Redis is there, and fails fast at a port where nothing listens', async () => {
    await expect(bus().ping()).resolves.toBeUndefined();
    const nowhere = new RedisBus({ url: 'redis://127.0.0.1:1', prefix });
    open.push(nowhere);
    await expect(nowhere.ping()).rejects.toThrow(/^Redis is not (connected|reachable)/);
  });
});

describeWithRedis('live events across processes', (url) => {
  let prefix: string;
  let buses: RedisBus[];
  let api: LiveEvents;
  let worker: LiveEvents;
  beforeEach(async () => {
    prefix = uniquePrefix('live');
    buses = [new RedisBus({ url, prefix }), new RedisBus({ url, prefix })];
    api = new LiveEvents(buses[0]);
    worker = new LiveEvents(buses[1]);
    await Promise.all([api.listening, worker.listening]);
  });
  afterEach(async () => {
    api.stop();
    worker.stop();
    await Promise.all(buses.map((b) => b.close()));
    await dropPrefix(url, prefix);
  });

  it("hands a page every process's events, each once", async () => {
    const page: LiveEvent[] = [];
    const workerPage: LiveEvent[] = [];
    api.subscribe((event) => page.push(event));
    worker.subscribe((event) => workerPage.push(event));

    const sync: LiveEvent = {
      type: 'sync',
      connectionId: 'c1',
      state: 'done',
      at: '2026-01-02T03:04:05.000Z',
      summary: '2 chats',
    };
    const messages: LiveEvent = { type: 'messages', accountId: 'a1', chatIds: ['x', 'y'] };
    worker.publish(sync);
    worker.publish(messages);
    api.publish({ type: 'messages', accountId: 'a2', chatIds: ['z'] });
    await expect.poll(() => workerPage.length).toBe(3);
    // The worker heard the API's event after its own two went out: Redis has sent the API's
    // subscriber the worker's events, and the API's own, before the marker below.
    worker.publish({ type: 'sync', connectionId: 'marker', state: 'busy', at: sync.at });
    await expect.poll(() => page.some((e) => e.type === 'sync' && e.connectionId === 'marker')).toBe(true);

    expect(page).toEqual([
      { type: 'messages', accountId: 'a2', chatIds: ['z'] },
      sync,
      messages,
      { type: 'sync', connectionId: 'marker', state: 'busy', at: sync.at },
    ]);
    expect(workerPage).toEqual([
      sync,
      messages,
      { type: 'messages', accountId: 'a2', chatIds: ['z'] },
      { type: 'sync', connectionId: 'marker', state: 'busy', at: sync.at },
    ]);
  });

  it('drops an event of an unknown shape from another process', async () => {
    const log = keptLog();
    const strict = new LiveEvents(buses[0], log);
    await strict.listening;
    const page: LiveEvent[] = [];
    strict.subscribe((event) => page.push(event));
    await buses[1]?.publish(LIVE_CHANNEL, { origin: 'elsewhere', event: { type: 'sync', state: 'odd' } });
    worker.publish({ type: 'messages', accountId: 'a1', chatIds: [] });
    await expect.poll(() => page.length).toBe(1);
    expect(page).toEqual([{ type: 'messages', accountId: 'a1', chatIds: [] }]);
    expect(log.lines).toEqual(['A live event of an unknown shape was dropped']);
    strict.stop();
  });
});
