import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/;

/**
 * The 3-character suffix that makes an 18-char id case-insensitively unique: one bit per uppercase
 * letter in each 5-character chunk of the 15-char id.
 */
function checksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET.charAt(bits);
  }
  return suffix;
}

/**
 * A new 18-char id: key prefix, a pod code, a reserved zero, and random base62 so ids mix upper and
 * lower case like real ones (an adapter that lowercases ids breaks here as it would against an org).
 */
export function newSalesforceId(keyPrefix: string): string {
  let tail = '0000';
  for (let i = 0; i < 5; i++) tail += BASE62.charAt(randomInt(BASE62.length));
  const id15 = `${keyPrefix}Dn0${tail}`;
  return id15 + checksum(id15);
}

/** The 18-char form of a 15- or 18-char id, or undefined if the value is not shaped like an id. */
export function toId18(value: string): string | undefined {
  if (!ID_SHAPE.test(value)) return undefined;
  if (value.length === 18) return value.slice(0, 15) + checksum(value.slice(0, 15));
  return value + checksum(value);
}
