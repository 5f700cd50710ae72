import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The browser the UI tests drive: Debian's chromium through playwright-core. Found at the usual path
 * (or WASYNC_TEST_CHROMIUM); when missing and the tests run as root, installed with apt-get.
 */
export const CHROMIUM_CANDIDATES = [
  process.env.WASYNC_TEST_CHROMIUM,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
];

export function findChromium(): string | undefined {
  return CHROMIUM_CANDIDATES.find(
    (candidate): candidate is string => !!candidate && fs.existsSync(candidate),
  );
}

/** The chromium to use, installing it if it can; or why there is none. */
export function ensureChromium(): { executablePath: string } | { skipped: string } {
  const found = findChromium();
  if (found) return { executablePath: found };
  if (process.getuid?.() !== 0) return { skipped: 'chromium is not installed (apt-get install chromium)' };
  process.stderr.write('\n  chromium is missing: installing it with apt-get (once)…\n');
  const install = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let result = install(['install', '-y', '--no-install-recommends', 'chromium']);
  if (result.status !== 0) {
    install(['update']);
    result = install(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  const installed = findChromium();
  return installed
    ? { executablePath: installed }
    : { skipped: `chromium is not installed and apt-get could not install it (exit ${result.status})` };
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const WEB_SOURCES = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts'];
/** The extension's sources: its own folder, and the web app's components and styles it shares. */
const EXTENSION_SOURCES = ['extension', 'web/src'];

function newest(entry: string): number {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

/** Whether `built` is missing or older than any of `sources`. */
function stale(built: string, sources: readonly string[]): boolean {
  const newestSource = Math.max(...sources.map((entry) => newest(path.join(ROOT, entry))));
  return !fs.existsSync(built) || fs.statSync(built).mtimeMs < newestSource;
}

function viteBuild(config: string): void {
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', config, '--logLevel', 'warn'],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

/** Builds the web app when dist/web is missing or older than its sources, as `npm run build` does. */
export function ensureWebBuild(): void {
  if (!stale(path.join(ROOT, 'dist/web/index.html'), WEB_SOURCES)) return;
  process.stderr.write('\n  building the web app (dist/web is missing or older than web/)…\n');
  viteBuild('web/vite.config.ts');
}

/** The built (unpacked) browser extension the extension's browser tests load. */
export const EXTENSION_BUILD = path.join(ROOT, 'dist/extension');

/** Builds the extension when dist/extension is missing or older than its sources, as `npm run build` does. */
export function ensureExtensionBuild(): void {
  if (!stale(path.join(EXTENSION_BUILD, 'manifest.json'), EXTENSION_SOURCES)) return;
  process.stderr.write(
    '\n  building the browser extension (dist/extension is missing or older than its sources)…\n',
  );
  viteBuild('extension/vite.config.ts');
}
