import { parseBatch } from '../../src/sources/rest/parse.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0) / 1000;

/** Messages `from` … `from + count - 1`, spread over 30 customers; the same n always gives the same message. */
export function testBatch(from: number, count: number) {
  const items = Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      id: `msg-${n}`,
      chat: { type: 'direct', with: { phone: `+5511987${String(650_000 + (n % 30)).padStart(6, '0')}` } },
      timestamp: T0 + n,
      text: `message ${n}`,
    };
  });
  const parsed = parseBatch(items, { defaultRegion: undefined, mediaMaxBytes: 1024, now: Date.now() });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.items;
}
