import { describe, expect, it } from 'vitest';
import { localTime } from './transcript-time.js';

const at = (iso: string, zone: string) => localTime(new Date(iso), zone);

describe('localTime', () => {
  it('reads midnight as 00:00 of the new day, not 24:00 of the old one', () => {
    expect(at('2026-11-20T00:00:00Z', 'UTC')).toEqual({
      day: '2026-11-20',
      time: '00:00',
      clock: '00.00.00',
    });
    expect(at('2026-11-19T23:59:59Z', 'UTC')).toEqual({
      day: '2026-11-19',
      time: '23:59',
      clock: '23.59.59',
    });
  });

  it('cuts the day at local midnight in São Paulo (UTC-3)', () => {
    expect(at('2026-11-21T02:59:00Z', 'America/Sao_Paulo')).toMatchObject({
      day: '2026-11-20',
      time: '23:59',
    });
    expect(at('2026-11-21T03:01:00Z', 'America/Sao_Paulo')).toMatchObject({
      day: '2026-11-21',
      time: '00:01',
    });
  });

  it('follows Berlin into summer time: 02:00 does not exist on 2026-03-29', () => {
    expect(at('2026-03-29T00:59:00Z', 'Europe/Berlin')).toMatchObject({ day: '2026-03-29', time: '01:59' });
    expect(at('2026-03-29T01:00:00Z', 'Europe/Berlin')).toMatchObject({ day: '2026-03-29', time: '03:00' });
    expect(at('2026-03-29T21:59:00Z', 'Europe/Berlin')).toMatchObject({ day: '2026-03-29', time: '23:59' });
    expect(at('2026-03-29T22:01:00Z', 'Europe/Berlin')).toMatchObject({ day: '2026-03-30', time: '00:01' });
  });

  it('follows Berlin back to winter time: 02:30 happens twice on 2026-10-25', () => {
    expect(at('2026-10-25T00:30:00Z', 'Europe/Berlin')).toMatchObject({ day: '2026-10-25', time: '02:30' });
    expect(at('2026-10-25T01:30:00Z', 'Europe/Berlin')).toMatchObject({ day: '2026-10-25', time: '02:30' });
    expect(at('2026-10-25T22:59:00Z', 'Europe/Berlin')).toMatchObject({ day: '2026-10-25', time: '23:59' });
  });

  it('handles a São Paulo day that began at 01:00 (DST start, 2018-11-04)', () => {
    expect(at('2018-11-04T02:59:00Z', 'America/Sao_Paulo')).toMatchObject({
      day: '2018-11-03',
      time: '23:59',
    });
    expect(at('2018-11-04T03:00:00Z', 'America/Sao_Paulo')).toMatchObject({
      day: '2018-11-04',
      time: '01:00',
    });
  });

  it('throws on a time zone that does not exist', () => {
    expect(() => at('2026-11-20T00:00:00Z', 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
