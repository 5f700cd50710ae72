import { describe, expect, it } from 'vitest';
import { BITRIX24_LIVE_VARIABLES, LiveConfigError, liveBitrix24Config } from './bitrix24-live-config.js';

const V = BITRIX24_LIVE_VARIABLES;
const WEBHOOK = 'https://acme.bitrix24.com/rest/1/abc123def456/';

/** The error the config throws, for its message. */
function failure(env: NodeJS.ProcessEnv): LiveConfigError {
  try {
    liveBitrix24Config(env);
  } catch (error) {
    if (error instanceof LiveConfigError) return error;
    throw error;
  }
  throw new Error('expected the variables to be refused');
}

describe('the live Bitrix24 suite reads its variables', () => {
  it('is skipped when none is set, naming what a run needs, the scopes and the plans it takes', () => {
    const config = liveBitrix24Config({ PATH: '/usr/bin', WASYNC_LIVE_ZOHO_DATA_CENTRE: 'eu' });
    if (!('skipped' in config)) throw new Error('expected a skip');
    for (const name of [V.webhookUrl, V.plan]) expect(config.skipped).toContain(name);
    expect(config.skipped).toContain('crm, disk and user scopes');
    expect(config.skipped).toContain('standard | enterprise');
  });

  it('takes blank variables for unset ones', () => {
    expect(liveBitrix24Config({ [V.webhookUrl]: '', [V.plan]: '  ' })).toHaveProperty('skipped');
  });

  it('names the variable missing when only the optional one is set', () => {
    expect(failure({ [V.plan]: 'enterprise' }).message).toMatch(
      /^The live Bitrix24 suite is missing WASYNC_LIVE_BITRIX24_WEBHOOK_URL\. Set them, or unset every WASYNC_LIVE_BITRIX24_\* variable/,
    );
  });

  it('refuses a misspelt variable, or an application’s, saying what it reads', () => {
    expect(failure({ [V.webhookUrl]: WEBHOOK, WASYNC_LIVE_BITRIX24_HOOK: 'x' }).message).toMatch(
      /^Unknown variable WASYNC_LIVE_BITRIX24_HOOK; the live Bitrix24 suite reads WASYNC_LIVE_BITRIX24_WEBHOOK_URL, WASYNC_LIVE_BITRIX24_PLAN /,
    );
    expect(
      failure({ WASYNC_LIVE_BITRIX24_CLIENT_ID: 'local.1', WASYNC_LIVE_BITRIX24_REFRESH_TOKEN: 'r' }).message,
    ).toContain('it connects through an inbound webhook, not an application');
  });

  it('says which variable holds a bad value, as the connection schema refuses it', () => {
    expect(failure({ [V.webhookUrl]: 'https://acme.bitrix24.com/rest/crm.contact.add' }).message).toMatch(
      /^The live Bitrix24 suite cannot use its variables: WASYNC_LIVE_BITRIX24_WEBHOOK_URL: A webhook URL reads/,
    );
    expect(failure({ [V.webhookUrl]: WEBHOOK, [V.plan]: 'pro' }).message).toContain(
      'WASYNC_LIVE_BITRIX24_PLAN: ',
    );
  });

  it('builds the connection a user would make from the webhook URL as the portal shows it', () => {
    expect(liveBitrix24Config({ [V.webhookUrl]: ` ${WEBHOOK} ` })).toEqual({
      connection: {
        kind: 'bitrix24',
        name: 'wasync live test',
        plan: 'standard',
        leadTitle: 'WhatsApp',
        sourceId: null,
        auth: { flow: 'webhook', webhookUrl: WEBHOOK },
      },
    });
    expect(
      liveBitrix24Config({
        [V.webhookUrl]: 'https://acme.bitrix24.de/rest/7/s3cr3t/profile.json',
        [V.plan]: 'enterprise',
      }),
    ).toMatchObject({ connection: { plan: 'enterprise' } });
  });
});
