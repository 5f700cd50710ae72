/**
 * Opt-in: wasync against a real Bitrix24 portal (a free or trial cloud portal; README, "Tests"). Runs
 * when WASYNC_LIVE_BITRIX24_WEBHOOK_URL is set, is skipped saying what to set when no
 * WASYNC_LIVE_BITRIX24_* variable is, and fails naming the missing one when only the optional plan is.
 */
import { describe, it } from 'vitest';
import { liveBitrix24Config } from './bitrix24-live-config.js';
import { describeLiveBitrix24 } from './bitrix24-live-suite.js';

const config = liveBitrix24Config();

if ('skipped' in config) {
  console.warn(`SKIPPED: the live Bitrix24 suite (${config.skipped})`);
  describe.skip(`Bitrix24 live portal (skipped: ${config.skipped})`, () => {
    it('runs the destination conformance suite and one sync against a real portal', () => {});
  });
} else describeLiveBitrix24(config.connection);
