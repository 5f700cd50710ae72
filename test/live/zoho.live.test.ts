/**
 * Opt-in: wasync against a real Zoho CRM org (a free developer or trial org; README, "Tests"). Runs
 * when the WASYNC_LIVE_ZOHO_* variables are set, is skipped saying which to set when none is, and
 * fails naming the missing ones when only some are.
 */
import { describe, it } from 'vitest';
import { liveZohoConfig } from './zoho-live-config.js';
import { describeLiveZoho } from './zoho-live-suite.js';

const config = liveZohoConfig();

if ('skipped' in config) {
  console.warn(`SKIPPED: the live Zoho suite (${config.skipped})`);
  describe.skip(`Zoho CRM live org (skipped: ${config.skipped})`, () => {
    it('runs the destination conformance suite and one sync against a real org', () => {});
  });
} else describeLiveZoho(config.connection);
