import type { TestProject } from 'vitest/node';
import { DEFAULT_POSTGRES_URL, probePostgres, REQUIRE_SERVICES_VAR } from './services-available.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { url: string } | { skipped: string };
  }
}

/**
 * Finds out once whether Postgres is reachable. Without it the Postgres suites are skipped with the
 * reason printed here; with WASYNC_TEST_REQUIRE_SERVICES=1 (as .ci/run sets) the run fails instead,
 * so a broken service connection can never pass silently.
 */
export default async function setup(project: TestProject): Promise<void> {
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
