import fs from 'node:fs';
import path from 'node:path';

/** Fixtures this repository carries (written here): enough for every test that needs an input. */
export const OWN_FIXTURES = path.resolve('test/fixtures');

/**
 * Third-party fixtures kept beside the project (`../shared/fixtures`), not in it. Tests that check
 * wasync against them skip when the folder is absent, so a fresh clone still passes `npm test`.
 */
export const SHARED_FIXTURES = path.resolve('../shared/fixtures');
export const hasSharedFixtures = fs.existsSync(SHARED_FIXTURES);

/** Says once, in the test output, which suite skips what and why. */
export function noteSkippedWithoutSharedFixtures(suite: string): void {
  if (hasSharedFixtures) return;
  console.warn(
    `${suite}: skipping the tests that read ${SHARED_FIXTURES} (absent; third-party fixtures kept beside the project).`,
  );
}
