import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes with scrypt, the memory-hard function Node ships: no native add-on to build, and
 * OWASP's recommended parameters (N = 2^17, r = 8, p = 1: 128 MiB and a few hundred milliseconds per
 * hash) by default. The cost is stored in each hash, so raising it later leaves old hashes readable
 * and `needsRehash` says which to replace at the next sign-in.
 *
 * Format: `scrypt$<log2 N>$<r>$<p>$<salt, base64url>$<key, base64url>`.
 */
export const DEFAULT_PASSWORD_COST = 17;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // scrypt needs 128 · N · r bytes; Node refuses more than 32 MiB unless told.
  const maxmem = 256 * (options.N ?? 0) * (options.r ?? BLOCK_SIZE);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N: 2 ** cost, r: BLOCK_SIZE, p: PARALLELISM });
  return [
    'scrypt',
    cost,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/** Whether the password matches the stored hash, compared in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, { N: 2 ** parsed.cost, r: parsed.r, p: parsed.p });
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** A hash made with a lower cost than the one configured now. */
export function needsRehash(stored: string, cost = DEFAULT_PASSWORD_COST): boolean {
  const parsed = parse(stored);
  return parsed === undefined || parsed.cost < cost;
}

function parse(stored: string) {
  const [scheme, cost, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return undefined;
  // Bounds keep a forged or corrupt hash from asking for gigabytes of memory.
  const within = (value: string | undefined, low: number, high: number) => {
    const n = Number(value);
    return Number.isInteger(n) && n >= low && n <= high ? n : undefined;
  };
  const [c, blocks, lanes] = [within(cost, 10, 22), within(r, 1, 32), within(p, 1, 16)];
  if (c === undefined || blocks === undefined || lanes === undefined) return undefined;
  return {
    cost: c,
    r: blocks,
    p: lanes,
    salt: Buffer.from(salt, 'base64url'),
    key: Buffer.from(key, 'base64url'),
  };
}

/** A password a person may choose: long enough, not absurdly long; undefined when fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  return undefined;
}
