import { randomBytes } from 'node:crypto';
import { describe, inject } from 'vitest';

/** The test Redis, or why the Redis suites are skipped on this machine. */
export function testRedis(): { url: string; skipped: undefined } | { url: undefined; skipped: string } {
  const provided = inject('redis');
  return 'url' in provided
    ? { url: provided.url, skipped: undefined }
    : { url: undefined, skipped: provided.skipped };
}

/** `describe`, skipped with the reason in its title when Redis cannot be reached. */
export function describeWithRedis(name: string, body: (url: string) => void): void {
  const redis = testRedis();
  if (redis.url === undefined) describe.skip(`${name} (skipped: ${redis.skipped})`, () => undefined);
  else {
    const url = redis.url;
    describe(name, () => body(url));
  }
}

/** A key prefix of its own per suite, so suites running at once never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `wasync-test-${label}-${randomBytes(4).toString('hex')}`;
}

export { dropPrefix } from './redis-keys.js';
