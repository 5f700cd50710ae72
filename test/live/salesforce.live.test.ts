/**
 * Opt-in: wasync against a real Salesforce org (a Developer Edition org; README, "Tests"). Runs when
 * the WASYNC_LIVE_SALESFORCE_* variables are set, is skipped saying which to set when none is, and
 * fails naming the missing ones when only some are.
 */
import { describe, it } from 'vitest';
import { liveSalesforceConfig } from './live-config.js';
import { describeLiveSalesforce } from './live-suite.js';

const config = liveSalesforceConfig();

if ('skipped' in config) {
  console.warn(`SKIPPED: the live Salesforce suite (${config.skipped})`);
  describe.skip(`Salesforce live org (skipped: ${config.skipped})`, () => {
    it('runs setup, the destination conformance suite and one sync against a real org', () => {});
  });
} else describeLiveSalesforce(config.connection);
