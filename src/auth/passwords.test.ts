import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.js';

describe('password hashes', () => {
  it('verifies the right password and refuses a wrong one, with a new salt each time', async () => {
    const hash = await hashPassword('correct horse battery', 14);
    expect(hash).toMatch(/^scrypt\$14\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await hashPassword('correct horse battery', 14)).not.toBe(hash);
  });

  it('reads the cost from the hash, and says when it is below the configured one', async () => {
    const cheap = await hashPassword('correct horse battery', 14);
    expect(await verifyPassword('correct horse battery', cheap)).toBe(true);
    expect(needsRehash(cheap, 15)).toBe(true);
    expect(needsRehash(cheap, 14)).toBe(false);
  });

  it('treats a unicode password the same in composed and decomposed form', async () => {
    const hash = await hashPassword('Jos\u00e9 password 1', 14);
    expect(await verifyPassword('Jose\u0301 password 1', hash)).toBe(true);
  });

  it('refuses malformed hashes without throwing', async () => {
    for (const bad of ['', 'scrypt$', 'bcrypt$14$8$1$a$b', 'scrypt$99$8$1$a$b', 'scrypt$x$8$1$a$b']) {
      expect(await verifyPassword('anything at all', bad)).toBe(false);
      expect(needsRehash(bad)).toBe(true);
    }
  });

  it('asks for a password of a sensible length', () => {
    expect(passwordProblem('short')).toContain('at least');
    expect(passwordProblem('a'.repeat(300))).toContain('at most');
    expect(passwordProblem('long enough password')).toBeUndefined();
  });
});
