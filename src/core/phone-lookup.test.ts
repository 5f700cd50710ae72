import { describe, expect, it } from 'vitest';
import { CRM_SPELLINGS } from '../../test/fixtures/crm-phone-spellings.js';
import { numberToFind } from './phone-lookup.js';

describe('numberToFind', () => {
  it.each(CRM_SPELLINGS.map((c) => [c.stored, c.chat, c.region] as const))(
    '%s holds %s (read in %s), and its digits are among the search terms',
    (stored, chat, region) => {
      const number = numberToFind(chat);
      expect(number.isHeldIn(stored, region)).toBe(true);
      expect(number.searchTerms).toContain(stored.replace(/\D/g, ''));
    },
  );

  it('does not take a number one digit off, or the same digits of another country, for the number', () => {
    const number = numberToFind('+5511987654321');
    expect(number.isHeldIn('(11) 98765-4322', 'BR')).toBe(false);
    expect(number.isHeldIn('+1 198-765-4321', 'BR')).toBe(false);
    expect(number.isHeldIn('+55 11 98765-4321', undefined)).toBe(true);
  });

  it('reads a national spelling only with the default region that explains it', () => {
    const number = numberToFind('+61412345679');
    expect(number.isHeldIn('(0412) 345-679', 'AU')).toBe(true);
    expect(number.isHeldIn('(0412) 345-679', 'GB')).toBe(false);
    expect(number.isHeldIn('(0412) 345-679', undefined)).toBe(false);
  });

  it('holds the numbers WhatsApp treats as one: Brazil 9th digit, Mexico 52 1, Argentina 54 9', () => {
    expect(numberToFind('5511987654321').isHeldIn('+55 11 8765-4321', undefined)).toBe(true);
    expect(numberToFind('+5215512345678').isHeldIn('+52 55 1234 5678', undefined)).toBe(true);
    expect(numberToFind('+5491123456789').isHeldIn('+54 11 2345-6789', undefined)).toBe(true);
    expect(numberToFind('+541123456789').isHeldIn('+54 9 11 2345-6789', undefined)).toBe(true);
  });

  it('holds a number the phone metadata does not know by its exact digits, written internationally', () => {
    // Tokelau +690 8…: a range libphonenumber's metadata has no entry for, as a WhatsApp id may be.
    const number = numberToFind('+69081234');
    expect(number.isHeldIn('+690 81234', undefined)).toBe(true);
    expect(number.isHeldIn('00690 8123-4', 'DE')).toBe(true);
    expect(number.isHeldIn('+690 81235', undefined)).toBe(false);
    expect(number.isHeldIn('81234', 'TK')).toBe(false);
    expect(number.searchTerms).toContain('69081234');
  });

  it('keeps search terms short enough for dozens of numbers in one 4,000-character search', () => {
    const lengths = CRM_SPELLINGS.map((c) => numberToFind(c.chat).searchTerms.join(' OR ').length);
    expect(Math.max(...lengths)).toBeLessThan(200);
  });
});
