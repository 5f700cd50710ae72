import { describe, expect, it } from 'vitest';
import { dayMarker, markerIn } from './day-marker.js';

describe('day markers', () => {
  it('are stable per key, differ between keys, and are found again in what was written', () => {
    const key = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b:003000000000001AAA:2026-11-20';
    const marker = dayMarker(key);
    expect(marker).toMatch(/^wasync:[0-9a-f]{24}$/);
    expect(dayMarker(key)).toBe(marker);
    expect(dayMarker(key.replace('11-20', '11-21'))).not.toBe(marker);
    expect(markerIn(`WhatsApp chat with Ana — 2026-11-20\n\n10:00 Ana: hi\n\n${marker}`)).toBe(marker);
    expect(markerIn('a note a person wrote about wasync: nothing here')).toBeUndefined();
  });
});
