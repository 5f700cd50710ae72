import type { TestProject } from 'vitest/node';
import { ensureChromium, ensureExtensionBuild, ensureWebBuild } from './browser.js';
import {
  DEFAULT_POSTGRES_URL,
  DEFAULT_REDIS_URL,
  probePostgres,
  probeRedis,
  REQUIRE_SERVICES_VAR,
} from './services-available.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { url: string } | { skipped: string };
    redis: { url: string } | { skipped: string };
    browser: { executablePath: string } | { skipped: string };
  }
}

/**
 * Finds out once whether Postgres is reachable. Without it the Postgres suites are skipped with the
 * reason printed here; with WASYNC_TEST_REQUIRE_SERVICES=1 (as .ci/run sets) the run fails instead,
 * so a broken service connection can never pass silently.
 */
export default async function setup(project: TestProject): Promise<void> {
  setupBrowser(project);
  await setupRedis(project);
  const url = process.env.WASYNC_TEST_POSTGRES_URL || DEFAULT_POSTGRES_URL;
  const problem = await probePostgres(url);
  if (problem === undefined) {
    project.provide('postgres', { url });
    return;
  }
  const reason = `Postgres at ${new URL(url).host}: ${problem}`;
  if (process.env[REQUIRE_SERVICES_VAR] === '1') {
    throw new Error(`${REQUIRE_SERVICES_VAR}=1 but ${reason}`);
  }
  process.stderr.write(
    `\n  SKIPPED: the Postgres suites (${reason}). Set WASYNC_TEST_POSTGRES_URL to run them.\n\n`,
  );
  project.provide('postgres', { skipped: reason });
}

/**
 * The browser suites need chromium and current builds of the web app and the browser extension. Without chromium they are
 * skipped with the reason printed; with WASYNC_TEST_REQUIRE_SERVICES=1 the run fails instead.
 */
function setupBrowser(project: TestProject): void {
  const browser = ensureChromium();
  if ('skipped' in browser) {
    if (process.env[REQUIRE_SERVICES_VAR] === '1') {
      throw new Error(`${REQUIRE_SERVICES_VAR}=1 but ${browser.skipped}`);
    }
    process.stderr.write(`\n  SKIPPED: the browser suites (${browser.skipped}).\n\n`);
  } else {
    ensureWebBuild();
    ensureExtensionBuild();
  }
  project.provide('browser', browser);
}

/**
 * The scale-mode suites (BullMQ, shared live events) need Redis: skipped with the reason printed
 * when it cannot be reached, a failed run with WASYNC_TEST_REQUIRE_SERVICES=1.
 */
async function setupRedis(project: TestProject): Promise<void> {
  const url = process.env.WASYNC_TEST_REDIS_URL || DEFAULT_REDIS_URL;
  const problem = await probeRedis(url);
  if (problem === undefined) {
    project.provide('redis', { url });
    return;
  }
  const reason = `Redis at ${new URL(url).host}: ${problem}`;
  if (process.env[REQUIRE_SERVICES_VAR] === '1') throw new Error(`${REQUIRE_SERVICES_VAR}=1 but ${reason}`);
  process.stderr.write(
    `\n  SKIPPED: the Redis suites (${reason}). Set WASYNC_TEST_REDIS_URL to run them.\n\n`,
  );
  project.provide('redis', { skipped: reason });
}
