import { describe, expect, it } from 'vitest';
import { count, localTime, relative, table, when } from './format.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const MIN = 60_000;

describe('count', () => {
  it('says 1 of a thing and 0 or 2 of things', () => {
    expect([0, 1, 2].map((n) => count(n, 'chat'))).toEqual(['0 chats', '1 chat', '2 chats']);
    expect(count(1, 'reply', 'replies')).toBe('1 reply');
    expect(count(3, 'reply', 'replies')).toBe('3 replies');
  });
});

describe('relative', () => {
  it('says how long ago or how soon, in minutes, hours or days', () => {
    expect(relative(at(-20_000), NOW)).toBe('just now');
    expect(relative(at(20_000), NOW)).toBe('in under a minute');
    expect(relative(at(-3 * MIN), NOW)).toBe('3 min ago');
    expect(relative(at(2 * MIN + 30_000), NOW)).toBe('in 2 min');
    expect(relative(at(-60 * MIN), NOW)).toBe('1 h ago');
    expect(relative(at(-(90 * MIN)), NOW)).toBe('1 h 30 min ago');
    expect(relative(at(15 * 60 * MIN + 5 * MIN), NOW)).toBe('in 15 h');
    expect(relative(at(-2 * 24 * 60 * MIN), NOW)).toBe('2 days ago');
    expect(relative(at(40 * 24 * 60 * MIN), NOW)).toBe('in 40 days');
  });
});

describe('when', () => {
  it("gives the workspace's local time with how far it is from now", () => {
    const clock = { now: NOW, timeZone: 'America/Sao_Paulo' };
    expect(when('2026-03-01T11:57:00.000Z', clock)).toBe('2026-03-01 08:57 (3 min ago)');
    expect(when(at(2 * MIN), clock)).toBe('2026-03-01 09:02 (in 2 min)');
    expect(when(at(2 * MIN), { now: NOW, timeZone: 'Asia/Tokyo' })).toBe('2026-03-01 21:02 (in 2 min)');
    expect(when(null, clock)).toBe('never');
    expect(when(undefined, clock, 'none queued')).toBe('none queued');
  });

  it('crosses midnight into the local date', () => {
    expect(localTime(new Date('2026-03-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-02 00:30');
  });
});

describe('table', () => {
  it('pads columns under their headers, numbers to the right, with no index column', () => {
    expect(
      table(
        ['phone', 'chats', 'last message'],
        [
          ['+14155552671', 12, 'never'],
          ['+5511900001111', 3, '2026-03-01 08:57 (3 min ago)'],
        ],
      ),
    ).toBe(
      [
        'phone           chats  last message',
        '+14155552671       12  never',
        '+5511900001111      3  2026-03-01 08:57 (3 min ago)',
      ].join('\n'),
    );
  });
});
