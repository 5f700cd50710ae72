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

  it('uses WASYNC_SECRET_KEY when set and writes nothing', () => {
    const dataDir = tempDir();
    expect(resolveSecretKey({ configured: 'k'.repeat(40), dataDir })).toBe('k'.repeat(40));
    expect(fs.existsSync(path.join(dataDir, 'secret.key'))).toBe(false);
  });

  it('generates a key into the data dir once, owner-readable only, and reuses it', () => {
    const dataDir = path.join(tempDir(), 'nested');
    const first = resolveSecretKey({ configured: undefined, dataDir });
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(resolveSecretKey({ configured: undefined, dataDir })).toBe(first);
  });
});
