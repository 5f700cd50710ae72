import { describe, expect, it } from 'vitest';
import { PHONE_NUMBERS } from '../../test/fixtures/phone-numbers.js';
import type { CountryCode } from './phone.js';
import { addressKey, parseWhatsAppId, type WhatsAppAddress } from './whatsapp-id.js';

const LONG_BSUID_TAIL = 'A1'.repeat(64);

describe('parseWhatsAppId', () => {
  it.each<[string, string, CountryCode | undefined, WhatsAppAddress]>([
    ['phone JID', '5511987654321@s.whatsapp.net', undefined, { kind: 'phone', e164: '+5511987654321' }],
    ['legacy @c.us JID', '5511987654321@c.us', undefined, { kind: 'phone', e164: '+5511987654321' }],
    ['device JID', '5511987654321:12@s.whatsapp.net', undefined, { kind: 'phone', e164: '+5511987654321' }],
    [
      'agent + device JID',
      '5511987654321_1:3@s.whatsapp.net',
      undefined,
      { kind: 'phone', e164: '+5511987654321' },
    ],
    [
      'upper-case server',
      '5511987654321@S.WhatsApp.Net',
      undefined,
      { kind: 'phone', e164: '+5511987654321' },
    ],
    ['surrounding spaces', '  5511987654321@c.us ', undefined, { kind: 'phone', e164: '+5511987654321' }],
    [
      'BR JID without 9th digit',
      '551187654321@s.whatsapp.net',
      undefined,
      { kind: 'phone', e164: '+5511987654321' },
    ],
    ['BR landline JID', '551133334444@s.whatsapp.net', undefined, { kind: 'phone', e164: '+551133334444' }],
    ['MX 521 JID', '5215541637145@s.whatsapp.net', undefined, { kind: 'phone', e164: '+525541637145' }],
    ['AR 549 JID', '5491123456789@s.whatsapp.net', undefined, { kind: 'phone', e164: '+5491123456789' }],
    ['@hosted JID', '447400123456@hosted', undefined, { kind: 'phone', e164: '+447400123456' }],
    ['@hosted JID with device', '447400123456:2@hosted', undefined, { kind: 'phone', e164: '+447400123456' }],
    ['Cloud API wa_id', '5511987654321', undefined, { kind: 'phone', e164: '+5511987654321' }],
    ['Cloud API wa_id, MX 521', '5215541637145', undefined, { kind: 'phone', e164: '+525541637145' }],
    ['Cloud API wa_id with a region', '4915123456789', 'BR', { kind: 'phone', e164: '+4915123456789' }],
    ['human international', '+55 11 98765-4321', undefined, { kind: 'phone', e164: '+5511987654321' }],
    ['human national with region', '(11) 98765-4321', 'BR', { kind: 'phone', e164: '+5511987654321' }],
    ['national digits with region', '11987654321', 'BR', { kind: 'phone', e164: '+5511987654321' }],
    ['national with trunk prefix', '011 98765 4321', 'BR', { kind: 'phone', e164: '+5511987654321' }],
    ['LID', '123456789012345@lid', undefined, { kind: 'lid', lid: '123456789012345@lid' }],
    ['LID with device', '123456789012345:3@lid', undefined, { kind: 'lid', lid: '123456789012345@lid' }],
    ['@hosted.lid', '123456789012345@hosted.lid', undefined, { kind: 'lid', lid: '123456789012345@lid' }],
    [
      '@hosted.lid with device',
      '123456789012345:7@hosted.lid',
      undefined,
      { kind: 'lid', lid: '123456789012345@lid' },
    ],
    ['group', '120363012345678901@g.us', undefined, { kind: 'group', groupJid: '120363012345678901@g.us' }],
    [
      'legacy group',
      '5511987654321-1600000000@g.us',
      undefined,
      { kind: 'group', groupJid: '5511987654321-1600000000@g.us' },
    ],
    ['status broadcast', 'status@broadcast', undefined, { kind: 'broadcast', jid: 'status@broadcast' }],
    ['broadcast list', '1600000000@broadcast', undefined, { kind: 'broadcast', jid: '1600000000@broadcast' }],
    [
      'newsletter',
      '120363144038483540@newsletter',
      undefined,
      { kind: 'broadcast', jid: '120363144038483540@newsletter' },
    ],
    [
      'BSUID',
      'US.13491208655302741918',
      undefined,
      { kind: 'bsuid', userId: 'US.13491208655302741918', parent: false },
    ],
    [
      'parent BSUID',
      'US.ENT.11815799212886844830',
      undefined,
      { kind: 'bsuid', userId: 'US.ENT.11815799212886844830', parent: true },
    ],
    ['alphanumeric BSUID', 'BR.a1B2c3', undefined, { kind: 'bsuid', userId: 'BR.a1B2c3', parent: false }],
    [
      '128-character BSUID',
      `IN.${LONG_BSUID_TAIL}`,
      undefined,
      { kind: 'bsuid', userId: `IN.${LONG_BSUID_TAIL}`, parent: false },
    ],
  ])('%s: %s', (_name, raw, defaultRegion, address) => {
    expect(parseWhatsAppId(raw, { defaultRegion })).toEqual({ ok: true, address });
  });

  it.each<[string, 'empty' | 'unknown_format' | 'invalid_phone']>([
    ['', 'empty'],
    ['   ', 'empty'],
    ['hello', 'unknown_format'],
    ['someone@example.com', 'unknown_format'],
    ['@s.whatsapp.net', 'unknown_format'],
    ['abc@s.whatsapp.net', 'unknown_format'],
    ['+5511987654321@s.whatsapp.net', 'unknown_format'],
    ['5511987654321:@s.whatsapp.net', 'unknown_format'],
    ['abc@lid', 'unknown_format'],
    ['123@lid:3', 'unknown_format'],
    ['status@g.us', 'unknown_format'],
    ['123-abc@g.us', 'unknown_format'],
    ['867051314767696@bot', 'unknown_format'],
    ['a b@broadcast', 'unknown_format'],
    ['us.13491208655302741918', 'unknown_format'],
    ['USA.13491208655302741918', 'unknown_format'],
    ['US.', 'unknown_format'],
    ['US.ENT.', 'unknown_format'],
    [`US.${LONG_BSUID_TAIL}X`, 'unknown_format'],
    ['US.1234-5678', 'unknown_format'],
    ['12@s.whatsapp.net', 'invalid_phone'],
    ['999123456789@s.whatsapp.net', 'invalid_phone'],
    ['999123456789', 'invalid_phone'],
    ['0123', 'invalid_phone'],
    ['(11) 98765-4321', 'invalid_phone'],
    ['11987654321', 'invalid_phone'],
  ])('rejects %j as %s', (raw, reason) => {
    const result = parseWhatsAppId(raw);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.message).not.toBe('');
  });

  it('keeps a phone JID the phone metadata calls invalid as + and its digits: WhatsApp registered it', () => {
    // Tokelau +690 8…: no range of libphonenumber's metadata, yet a WhatsApp id.
    for (const raw of ['69081234@s.whatsapp.net', '69081234:2@s.whatsapp.net', '69081234@c.us']) {
      expect(parseWhatsAppId(raw)).toEqual({ ok: true, address: { kind: 'phone', e164: '+69081234' } });
    }
    // A bare digit string is no JID: it may be a national number, and still needs to read.
    expect(parseWhatsAppId('69081234')).toMatchObject({ ok: false, reason: 'invalid_phone' });
  });

  it('explains a phone rejection with the phone reason', () => {
    expect(parseWhatsAppId('(11) 98765-4321')).toMatchObject({
      message: expect.stringContaining('needs_region'),
    });
  });

  describe.each(PHONE_NUMBERS)('$country', (row) => {
    it(`reads the phone JID, @c.us and wa_id of ${row.e164}`, () => {
      const digits = row.e164.slice(1);
      for (const raw of [
        `${digits}@s.whatsapp.net`,
        `${digits}:4@s.whatsapp.net`,
        `${digits}@c.us`,
        digits,
      ]) {
        expect(parseWhatsAppId(raw)).toEqual({ ok: true, address: { kind: 'phone', e164: row.e164 } });
      }
    });
  });
});

describe('addressKey', () => {
  it.each<[WhatsAppAddress, string]>([
    [{ kind: 'phone', e164: '+5511987654321' }, 'phone:+5511987654321'],
    [{ kind: 'lid', lid: '123456789012345@lid' }, 'lid:123456789012345@lid'],
    [{ kind: 'group', groupJid: '120363012345678901@g.us' }, 'group:120363012345678901@g.us'],
    [{ kind: 'bsuid', userId: 'US.13491208655302741918', parent: false }, 'bsuid:US.13491208655302741918'],
    [{ kind: 'bsuid', userId: 'US.ENT.118157992128868', parent: true }, 'bsuid:US.ENT.118157992128868'],
    [{ kind: 'broadcast', jid: 'status@broadcast' }, 'broadcast:status@broadcast'],
  ])('%o -> %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it('gives every spelling of one account the same key', () => {
    const spellings = [
      '5511987654321@s.whatsapp.net',
      '5511987654321:12@s.whatsapp.net',
      '5511987654321@c.us',
      '551187654321@s.whatsapp.net',
      '5511987654321',
      '551187654321',
      '+55 11 98765-4321',
    ];
    const keys = spellings.map((raw) => {
      const result = parseWhatsAppId(raw);
      return result.ok ? addressKey(result.address) : `error:${result.reason}`;
    });
    expect(new Set(keys)).toEqual(new Set(['phone:+5511987654321']));
  });

  it('gives a LID the same key with and without device or hosted suffix', () => {
    const keys = ['123456789012345@lid', '123456789012345:3@lid', '123456789012345@hosted.lid'].map((raw) => {
      const result = parseWhatsAppId(raw);
      return result.ok ? addressKey(result.address) : `error:${result.reason}`;
    });
    expect(new Set(keys)).toEqual(new Set(['lid:123456789012345@lid']));
  });
});
