import { getCountryCallingCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { PHONE_NUMBERS, type PhoneNumberCase } from '../../test/fixtures/phone-numbers.js';
import {
  type CountryCode,
  canonicalWhatsAppPhone,
  normalizePhone,
  type PhoneRejection,
  whatsappEquivalents,
} from './phone.js';
import { crmPhoneSpellings } from './phone-spellings.js';

/** Inputs that carry their own country code and so must parse without a region. */
function internationalInputs(row: PhoneNumberCase): string[] {
  const callingCode = getCountryCallingCode(row.region);
  return row.inputs.filter(
    (input) => /^(\+|00)/.test(input) || (/^[1-9]\d+$/.test(input) && input.startsWith(callingCode)),
  );
}

describe('normalizePhone', () => {
  describe.each(PHONE_NUMBERS)('$country', (row) => {
    it.each(row.inputs)(`reads %s with region ${row.region} as ${row.e164}`, (input) => {
      expect(normalizePhone(input, { defaultRegion: row.region })).toEqual({
        ok: true,
        e164: row.e164,
        region: row.region,
      });
    });

    it.each(internationalInputs(row))(`reads %s without a region as ${row.e164}`, (input) => {
      expect(normalizePhone(input)).toMatchObject({ ok: true, e164: row.e164 });
    });
  });

  it('covers at least 15 countries', () => {
    expect(new Set(PHONE_NUMBERS.map((row) => row.region)).size).toBeGreaterThanOrEqual(15);
  });

  it('reads the human, national and WhatsApp spellings of one Brazilian mobile as the same number', () => {
    const spellings = [
      normalizePhone('+55 11 98765-4321'),
      normalizePhone('011 98765 4321', { defaultRegion: 'BR' }),
      normalizePhone('5511987654321'),
    ];
    for (const result of spellings)
      expect(result).toEqual({ ok: true, e164: '+5511987654321', region: 'BR' });
  });

  it.each([
    ['+5215541637145', undefined, '+525541637145'],
    ['5215541637145', undefined, '+525541637145'],
    ['551187654321', undefined, '+5511987654321'],
    ['551187654321', 'BR', '+5511987654321'],
    ['551133334444', undefined, '+551133334444'],
    ['+55 21 2555-4444', undefined, '+552125554444'],
    ['0049 30 123456', undefined, '+4930123456'],
    ['0049 30 123456', 'BR', '+4930123456'],
    ['0015 49 30 123456', 'BR', '+4930123456'],
    ['011 49 30 123456', 'US', '+4930123456'],
    ['+1 202 555 0123 ext. 45', undefined, '+12025550123'],
    ['＋５５ １１ ９８７６５ ４３２１', undefined, '+5511987654321'],
    ['  +44 20 7946 0958  ', undefined, '+442079460958'],
  ] as const)('canonicalises the WhatsApp/IDD spelling %s (region %s) to %s', (input, region, e164) => {
    expect(normalizePhone(input, { defaultRegion: region })).toMatchObject({ ok: true, e164 });
  });

  it('leaves non-geographic numbers without a region', () => {
    expect(normalizePhone('+800 1234 5678')).toEqual({ ok: true, e164: '+80012345678', region: undefined });
  });

  it.each<[string, CountryCode | undefined, PhoneRejection]>([
    ['', undefined, 'empty'],
    ['   ', 'BR', 'empty'],
    ['abc', undefined, 'not_a_number'],
    ['call me', 'US', 'not_a_number'],
    ['call +5511987654321 now', undefined, 'not_a_number'],
    ['+1', undefined, 'too_short'],
    ['+1 202 555 01', undefined, 'too_short'],
    ['12', 'US', 'too_short'],
    ['+12345678901234567890', undefined, 'too_long'],
    ['+44 20 7946 09581', undefined, 'too_long'],
    ['+999 123456', undefined, 'invalid_country_code'],
    ['(11) 98765-4321', undefined, 'needs_region'],
    ['030 123456', undefined, 'needs_region'],
    ['12345', undefined, 'needs_region'],
    ['011 98765 4321', undefined, 'needs_region'],
    ['+44 7700 900123', undefined, 'invalid_number'],
    ['+1 123 456 7890', undefined, 'invalid_number'],
    ['+55 00 98765-4321', undefined, 'invalid_number'],
  ])('rejects %j (region %s) as %s', (input, region, reason) => {
    const result = normalizePhone(input, { defaultRegion: region });
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.message).not.toBe('');
  });
});

describe('canonicalWhatsAppPhone', () => {
  it.each([
    ['+551187654321', '+5511987654321'],
    ['+555188887777', '+5551988887777'],
    ['+551161234567', '+5511961234567'],
    ['+5511987654321', '+5511987654321'],
    ['+551133334444', '+551133334444'],
    ['+552125554444', '+552125554444'],
    ['+5215541637145', '+525541637145'],
    ['+525541637145', '+525541637145'],
    ['+5491123456789', '+5491123456789'],
    ['+541123456789', '+541123456789'],
    ['+4915123456789', '+4915123456789'],
    ['5511987654321', '+5511987654321'],
    ['+55 11 8765-4321', '+5511987654321'],
  ])('%s -> %s', (input, canonical) => {
    expect(canonicalWhatsAppPhone(input)).toBe(canonical);
  });
});

describe('whatsappEquivalents', () => {
  it.each([
    ['Brazil mobile', '+5511987654321', ['+5511987654321', '+551187654321']],
    ['Brazil mobile given without the 9', '+551187654321', ['+5511987654321', '+551187654321']],
    ['Brazil landline', '+551133334444', ['+551133334444']],
    ['Mexico', '+525541637145', ['+525541637145', '+5215541637145']],
    ['Mexico given as 521', '+5215541637145', ['+525541637145', '+5215541637145']],
    ['Argentina mobile', '+5491123456789', ['+5491123456789', '+541123456789']],
    ['Argentina without the 9', '+541123456789', ['+541123456789', '+5491123456789']],
    ['Germany', '+4915123456789', ['+4915123456789']],
    ['United States', '+12015550123', ['+12015550123']],
  ])('%s: %s', (_name, e164, equivalents) => {
    expect(whatsappEquivalents(e164)).toEqual(equivalents);
  });
});

describe('crmPhoneSpellings', () => {
  describe.each(PHONE_NUMBERS)('$country', (row) => {
    const spellings = crmPhoneSpellings(row.e164);

    it('starts with the canonical E.164, has the digits-only form and no duplicates', () => {
      expect(spellings[0]).toBe(row.e164);
      expect(spellings).toContain(row.e164.slice(1));
      expect(new Set(spellings).size).toBe(spellings.length);
      expect(spellings.length).toBeLessThan(40);
    });

    it('contains every WhatsApp-equivalent E.164 form', () => {
      for (const equivalent of whatsappEquivalents(row.e164)) expect(spellings).toContain(equivalent);
    });

    it('every spelling reads back, in its region, to an equivalent of the number', () => {
      const equivalents = whatsappEquivalents(row.e164);
      for (const spelling of spellings) {
        const result = normalizePhone(spelling, { defaultRegion: row.region });
        expect(result.ok && equivalents.includes(result.e164), spelling).toBe(true);
      }
    });
  });

  it.each([
    [
      '+5511987654321',
      [
        '+5511987654321',
        '5511987654321',
        '+55 11 98765 4321',
        '(11) 98765-4321',
        '11987654321',
        '011987654321',
      ],
    ],
    ['+5511987654321', ['011 98765 4321', '11 98765 4321', '+551187654321', '(11) 8765-4321']],
    [
      '+525541637145',
      ['+52 55 4163 7145', '55 4163 7145', '5541637145', '+5215541637145', '+52 1 55 4163 7145'],
    ],
    ['+5491123456789', ['+54 9 11 2345 6789', '011 15-2345-6789', '+541123456789', '011 2345-6789']],
    ['+4915123456789', ['+49 1512 3456789', '01512 3456789', '015123456789', '1512 3456789']],
    ['+12015550123', ['(201) 555-0123', '201-555-0123', '201.555.0123', '1-201-555-0123', '2015550123']],
    ['+79123456789', ['8 (912) 345-67-89', '89123456789', '8 912 345 67 89']],
    ['+442079460958', ['020 7946 0958', '02079460958', '+44 20 7946 0958']],
    // The country code typed in front of the national format.
    ['+5521998765432', ['+55 21 99876-5432', '+55 (21) 99876-5432', '+55 21-99876-5432']],
    ['+14155550100', ['+1 (415) 555-0100', '+1 415 555-0100', '+1 415-555-0100']],
  ])('for %s includes national and punctuated spellings', (e164, expected) => {
    expect(crmPhoneSpellings(e164)).toEqual(expect.arrayContaining(expected));
  });

  it('gives a non-geographic number no national spellings', () => {
    expect(crmPhoneSpellings('+80012345678')).toEqual([
      '+80012345678',
      '80012345678',
      '+800 1234 5678',
      '+800-1234-5678',
      '+800.1234.5678',
    ]);
  });
});
