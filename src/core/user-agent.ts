import fs from 'node:fs';

/** The package's version, read once from package.json (two levels up from both src/core and dist/core). */
function packageVersion(): string {
  try {
    const text = fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The `User-Agent` wasync sends to vendor APIs that ask clients to name themselves: `wasync/<version>`. */
export const USER_AGENT = `wasync/${packageVersion()}`;
