import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSecretKey } from './secret-key.js';

describe('resolveSecretKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const none = { secretKey: undefined, secretKeyFile: undefined };

  it('uses WASYNC_SECRET_KEY when set and writes nothing', () => {
    const dataDir = tempDir();
    expect(resolveSecretKey({ ...none, secretKey: 'k'.repeat(40), dataDir, dialect: 'sqlite' })).toBe(
      'k'.repeat(40),
    );
    expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(false);
  });

  it('generates a key into the data dir once, in a folder and file readable by the owner only', () => {
    const dataDir = path.join(tempDir(), 'nested');
    const first = resolveSecretKey({ ...none, dataDir, dialect: 'sqlite' });
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(resolveSecretKey({ ...none, dataDir, dialect: 'sqlite' })).toBe(first);
  });

  it('with Postgres, generates nothing and asks for a key', () => {
    const dataDir = path.join(tempDir(), 'nested');
    expect(() => resolveSecretKey({ ...none, dataDir, dialect: 'postgres' })).toThrow(
      /With Postgres, set WASYNC_SECRET_KEY \(or WASYNC_SECRET_KEY_FILE\)/,
    );
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('reads a key file given explicitly, and refuses a short or missing one', () => {
    const dir = tempDir();
    const file = path.join(dir, 'key');
    fs.writeFileSync(file, `${'f'.repeat(44)}\n`);
    expect(resolveSecretKey({ ...none, secretKeyFile: file, dataDir: dir, dialect: 'postgres' })).toBe(
      'f'.repeat(44),
    );
    fs.writeFileSync(file, 'short\n');
    expect(() =>
      resolveSecretKey({ ...none, secretKeyFile: file, dataDir: dir, dialect: 'postgres' }),
    ).toThrow(/must be at least 32 characters/);
    expect(() =>
      resolveSecretKey({ ...none, secretKeyFile: `${file}.gone`, dataDir: dir, dialect: 'postgres' }),
    ).toThrow(/cannot read the secret key file/);
  });
});
