import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';

/** The data dir holds the database, media and the key: readable by its owner only. */
export function ensureDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/** Reads a key file given explicitly (WASYNC_SECRET_KEY_FILE, `rotate-key --new-key-file`). */
export function readKeyFile(file: string): string {
  let key: string;
  try {
    key = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new SecretKeyError(`cannot read the secret key file ${file}: ${(error as Error).message}`);
  }
  if (key.length < 32) throw new SecretKeyError(`the secret key in ${file} must be at least 32 characters`);
  return key;
}

/**
 * The key secrets are sealed with. WASYNC_SECRET_KEY wins, then WASYNC_SECRET_KEY_FILE. Without either,
 * on SQLite the key lives in `<dataDir>/secret.key` (created on first start, readable by the owner
 * only), so an embedded install needs no configuration. On Postgres there is no such default: several
 * processes share the database, and each generating a key of its own would leave all but the first
 * unable to open what the others sealed. Losing the key makes stored secrets unreadable: back it up.
 */
export function resolveSecretKey(
  options: Pick<Config, 'secretKey' | 'secretKeyFile' | 'dataDir'> & { dialect: 'sqlite' | 'postgres' },
): string {
  if (options.secretKey) return options.secretKey;
  if (options.secretKeyFile) return readKeyFile(options.secretKeyFile);
  if (options.dialect === 'postgres') throw new SecretKeyError(POSTGRES_NEEDS_A_KEY);
  return dataDirKey(options.dataDir);
}

export const POSTGRES_NEEDS_A_KEY =
  'With Postgres, set WASYNC_SECRET_KEY (or WASYNC_SECRET_KEY_FILE) to the same key in every process ' +
  'that shares the database; wasync generates a key only for SQLite. Make one with ' +
  '`openssl rand -base64 32`.';

export function dataDirKeyFile(dataDir: string): string {
  return path.join(dataDir, 'secret.key');
}

function dataDirKey(dataDir: string): string {
  const file = dataDirKeyFile(dataDir);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  ensureDataDir(dataDir);
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
