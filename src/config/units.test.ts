import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from './units.js';

describe('units', () => {
  it.each([
    ['90s', 90_000],
    ['3m', 180_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['2d', 172_800_000],
    ['1500', 1500],
    [' 10 s ', 10_000],
  ])('duration %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '3 minutes', '-1m', '1y'])('refuses duration %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it.each([
    ['32mb', 32 * 1024 ** 2],
    ['512KB', 512 * 1024],
    ['1gb', 1024 ** 3],
    ['2048', 2048],
  ])('size %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'big', '1tb'])('refuses size %j', (text) => expect(parseSize(text)).toBeUndefined());
});
