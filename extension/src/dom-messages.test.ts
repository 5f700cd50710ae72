import { describe, expect, it } from 'vitest';
import { dateOrder, parsePrePlainTime } from './dom-messages';
import { ingestItem } from './sidebar/capture';

/** A local time as the reader writes it: ISO 8601 with this machine's offset. */
function local(year: number, month: number, day: number, hours: number, minutes: number): string {
  const at = new Date(year, month - 1, day, hours, minutes);
  const offset = -at.getTimezoneOffset();
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:00${offset >= 0 ? '+' : '-'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

describe('reading the time WhatsApp Web writes before each message', () => {
  it("takes the day, month and year in the order of the browser's locale", () => {
    expect(dateOrder('en-US')).toEqual(['month', 'day', 'year']);
    expect(dateOrder('de-DE')).toEqual(['day', 'month', 'year']);
    expect(dateOrder('ja-JP')).toEqual(['year', 'month', 'day']);
  });

  it('reads 24-hour and 12-hour clocks, and two-digit years', () => {
    expect(parsePrePlainTime('10:31', '12/4/2026', 'en-US')).toBe(local(2026, 12, 4, 10, 31));
    expect(parsePrePlainTime('4:05 PM', '12/4/2026', 'en-US')).toBe(local(2026, 12, 4, 16, 5));
    expect(parsePrePlainTime('12:10 a.m.', '12/4/26', 'en-US')).toBe(local(2026, 12, 4, 0, 10));
    expect(parsePrePlainTime('10:31', '4.12.2026', 'de-DE')).toBe(local(2026, 12, 4, 10, 31));
    expect(parsePrePlainTime('10:31', '2026/12/04', 'ja-JP')).toBe(local(2026, 12, 4, 10, 31));
  });

  it('gives nothing for a date that does not exist or is not one', () => {
    expect(parsePrePlainTime('10:31', '31/12/2026', 'en-US')).toBeUndefined();
    expect(parsePrePlainTime('10:31', 'yesterday', 'en-US')).toBeUndefined();
    expect(parsePrePlainTime('soon', '12/4/2026', 'en-US')).toBeUndefined();
  });
});

describe('a message read off the page as a REST ingest item', () => {
  const base = { id: '3EB0A1', timestamp: local(2026, 12, 4, 10, 31), text: 'Hi' };

  it("keys it by WhatsApp's message id, in a direct chat with a number or a linked id", () => {
    expect(ingestItem({ ...base, fromMe: false, chat: '5511987654321@c.us' })).toEqual({
      id: '3EB0A1',
      chat: { type: 'direct', with: { phone: '+5511987654321' } },
      timestamp: base.timestamp,
      fromMe: false,
      text: 'Hi',
    });
    expect(ingestItem({ ...base, fromMe: true, chat: '123456789012345@lid' }).chat).toEqual({
      type: 'direct',
      with: { lid: '123456789012345@lid' },
    });
  });

  it('names the sender of a group message, but not by a number shown as a name', () => {
    const group = { ...base, fromMe: false, chat: '120363012345678901@g.us' };
    expect(ingestItem({ ...group, participant: '5511987654321@c.us', sender: 'Ana Souza' })).toMatchObject({
      chat: { type: 'group', id: '120363012345678901@g.us' },
      from: { phone: '+5511987654321', name: 'Ana Souza' },
    });
    expect(ingestItem({ ...group, participant: '49301234567@c.us', sender: '+49 30 1234567' }).from).toEqual({
      phone: '+49301234567',
    });
    // One's own message in a group needs no sender.
    expect(ingestItem({ ...group, fromMe: true, participant: '14155550000@c.us' })).not.toHaveProperty(
      'from',
    );
  });
});
