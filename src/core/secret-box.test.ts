import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

const KEY = 'k3Y-for-tests-only-0123456789abcdefghij';

describe('SecretBox', () => {
  const box = new SecretBox(KEY);
  const secret = JSON.stringify({ clientSecret: 'sf-secret', refreshToken: '5Aep861…' });

  it('opens what it sealed, and never shows the plaintext in the sealed form', () => {
    const sealed = box.seal(secret, 'crm_conn_1');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('sf-secret');
    expect(box.open(sealed, 'crm_conn_1')).toBe(secret);
  });

  it('seals the same value differently each time', () => {
    expect(box.seal(secret, 'c')).not.toBe(box.seal(secret, 'c'));
  });

  it('refuses another context, another key, an altered value and garbage', () => {
    const sealed = box.seal(secret, 'crm_conn_1');
    expect(() => box.open(sealed, 'crm_conn_2')).toThrow(/cannot be opened/);
    expect(() => new SecretBox(`${KEY}x`).open(sealed, 'crm_conn_1')).toThrow(/cannot be opened/);
    const payload = Buffer.from(sealed.slice(3), 'base64url');
    payload[payload.length - 1] = (payload.at(-1) ?? 0) ^ 1;
    expect(() => box.open(`v1:${payload.toString('base64url')}`, 'crm_conn_1')).toThrow(/cannot be opened/);
    expect(() => box.open('v0:abc', 'crm_conn_1')).toThrow(/not a value sealed/);
    expect(() => box.open('v1:abc', 'crm_conn_1')).toThrow(/truncated/);
  });

  it('refuses a short key', () => {
    expect(() => new SecretBox('short')).toThrow(/at least 32/);
  });
});
