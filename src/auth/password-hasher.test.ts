import { describe, expect, it } from 'vitest';
import { isWasyncError } from '../core/errors.js';
import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  it('runs at most `concurrent` hashes at once, queues a few and turns the rest away with a retry time', async () => {
    const hasher = new PasswordHasher(10, { concurrent: 2, queue: 2 });
    const started = Array.from({ length: 6 }, (_, i) => hasher.hash(`password number ${i}`));
    expect(hasher.load).toEqual({ running: 2, waiting: 2 });
    const settled = await Promise.allSettled(started);
    const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    expect(refused).toHaveLength(2);
    for (const reason of refused) {
      expect(isWasyncError(reason) && reason.code).toBe('server_busy');
      expect(isWasyncError(reason) && reason.status).toBe(503);
      expect(isWasyncError(reason) && reason.details?.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(hasher.derivations).toBe(4);
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
    const hash = settled.find((s) => s.status === 'fulfilled')?.value ?? '';
    expect(await hasher.verify('password number 0', hash)).toBe(true);
  });
});
