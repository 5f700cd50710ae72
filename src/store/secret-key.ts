import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The key CRM credentials are encrypted with. WASYNC_SECRET_KEY wins; without it the key lives in
 * `<dataDir>/secret.key` (created on first start, readable by the owner only), so an embedded install
 * needs no configuration. Losing the file makes stored credentials unreadable: back it up with the data.
 */
export function resolveSecretKey(options: { configured: string | undefined; dataDir: string }): string {
  if (options.configured) return options.configured;
  const file = path.join(options.dataDir, 'secret.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails if another process created the file meanwhile; then theirs is the key.
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fs.readFileSync(file, 'utf8').trim();
  }
}
