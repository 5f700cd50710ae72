import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RetryCounterCache } from './socket.js';

/**
 * The library as installed, patched by `patches/baileys+*.patch` (applied by the postinstall,
 * `scripts/apply-patches.js`, on every install): a capture-only device must never tell WhatsApp it
 * is online.
 */
describe('the installed WhatsApp library', () => {
  const socketSource = readFileSync(
    fileURLToPath(new URL('Socket/socket.js', import.meta.resolve('baileys'))),
    'utf8',
  );

  it('sends no presence when the creds change (the unpatched library shows the owner online)', () => {
    const handler = /ev\.on\('creds\.update', update => \{([\s\S]*?)\n {4}\}\);/.exec(socketSource)?.[1];
    expect(handler).toBeDefined();
    expect(handler).toContain('Object.assign(creds, update)');
    expect(handler).not.toMatch(/sendNode|tag: 'presence'/);
  });
});

describe('the retry-count cache a session keeps across its sockets', () => {
  it('keeps a count for its time to live from the last write, then forgets it', () => {
    let now = 1_000;
    const cache = new RetryCounterCache(60_000, 100, () => now);
    cache.set('m1', 1);
    now += 59_999;
    expect(cache.get('m1')).toBe(1);
    cache.set('m1', 2);
    now += 59_999;
    expect(cache.get<number>('m1')).toBe(2);
    now += 1;
    expect(cache.get('m1')).toBeUndefined();
  });

  it('drops the oldest written past its size, and deletes and flushes on request', () => {
    const cache = new RetryCounterCache(60_000, 2, () => 0);
    cache.set('a', 1);
    cache.set('b', 1);
    cache.set('a', 2);
    cache.set('c', 1);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([2, undefined, 1]);
    cache.del('a');
    expect(cache.get('a')).toBeUndefined();
    cache.flushAll();
    expect(cache.get('c')).toBeUndefined();
  });
});
