import { describe, expect, it } from 'vitest';
import { formatSize } from './transcript-media.js';
import { truncate } from './transcript-text.js';

describe('formatSize', () => {
  it('reads as phones show sizes: bytes, then one decimal', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KB');
    expect(formatSize(1_258_291)).toBe('1.2 MB');
    expect(formatSize(1_048_575)).toBe('1.0 MB');
    expect(formatSize(3.5 * 1024 ** 3)).toBe('3.5 GB');
    expect(formatSize(2048 * 1024 ** 3)).toBe('2048.0 GB');
  });

  it('leaves out sizes it cannot know', () => {
    expect(formatSize(undefined)).toBeUndefined();
    expect(formatSize(-1)).toBeUndefined();
    expect(formatSize(Number.NaN)).toBeUndefined();
  });
});

describe('truncate', () => {
  it('cuts at a number of characters, never inside an emoji', () => {
    expect(truncate('short', 60)).toBe('short');
    expect(truncate('abc def', 4)).toBe('abc…');
    expect(truncate('👨‍👩‍👧‍👦👍🏽abc', 2)).toBe('👨‍👩‍👧‍👦👍🏽…');
  });
});
