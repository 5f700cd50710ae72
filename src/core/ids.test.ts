import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('is the prefix and 26 lowercase base32 characters', () => {
    expect(newId('msg')).toMatch(/^msg_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('sorts in creation order, as text', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(newId('chat'));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect([...ids].sort()).toEqual(ids);
  });

  it('sorts in creation order within one millisecond too', () => {
    const ids = Array.from({ length: 1_000 }, () => newId('msg'));
    expect([...ids].sort()).toEqual(ids);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('evt')));
    expect(ids.size).toBe(10_000);
  });
});
