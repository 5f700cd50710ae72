import { describe, expect, it } from 'vitest';
import { LiveConfigError, liveZohoConfig, ZOHO_LIVE_VARIABLES } from './zoho-live-config.js';

const V = ZOHO_LIVE_VARIABLES;
const SELF_CLIENT = {
  [V.clientId]: '1000.ABCDEF',
  [V.clientSecret]: 'secret',
  [V.refreshToken]: '1000.refresh.token',
};

/** The error the config throws, for its message. */
function failure(env: NodeJS.ProcessEnv): LiveConfigError {
  try {
    liveZohoConfig(env);
  } catch (error) {
    if (error instanceof LiveConfigError) return error;
    throw error;
  }
  throw new Error('expected the variables to be refused');
}

describe('the live Zoho suite reads its variables', () => {
  it('is skipped when none is set, naming every variable a run needs and the data centres it takes', () => {
    const config = liveZohoConfig({ PATH: '/usr/bin', WASYNC_LIVE_SALESFORCE_FLOW: 'refresh_token' });
    if (!('skipped' in config)) throw new Error('expected a skip');
    for (const name of [V.dataCentre, V.clientId, V.clientSecret, V.refreshToken, V.edition])
      expect(config.skipped).toContain(name);
    expect(config.skipped).toContain('us | eu | in');
  });

  it('takes blank variables for unset ones', () => {
    expect(liveZohoConfig({ [V.dataCentre]: '', [V.refreshToken]: '  ' })).toHaveProperty('skipped');
  });

  it('names the variables missing when only some are set', () => {
    expect(failure({ [V.dataCentre]: 'eu' }).message).toMatch(
      /^The live Zoho suite is missing WASYNC_LIVE_ZOHO_CLIENT_ID, WASYNC_LIVE_ZOHO_CLIENT_SECRET, WASYNC_LIVE_ZOHO_REFRESH_TOKEN\. Set them, or unset every WASYNC_LIVE_ZOHO_\* variable/,
    );
    // The optional ones alone do not make a run.
    expect(failure({ [V.edition]: 'free' }).message).toContain(
      'missing WASYNC_LIVE_ZOHO_DATA_CENTRE, WASYNC_LIVE_ZOHO_CLIENT_ID',
    );
  });

  it('refuses a misspelt variable, saying what it reads', () => {
    expect(failure({ ...SELF_CLIENT, WASYNC_LIVE_ZOHO_DC: 'eu' }).message).toMatch(
      /^Unknown variable WASYNC_LIVE_ZOHO_DC; the live Zoho suite reads WASYNC_LIVE_ZOHO_DATA_CENTRE, /,
    );
  });

  it('says which variable holds a bad value, as the connection schema refuses it', () => {
    expect(failure({ ...SELF_CLIENT, [V.dataCentre]: 'br' }).message).toMatch(
      /^The live Zoho suite cannot use its variables: WASYNC_LIVE_ZOHO_DATA_CENTRE: /,
    );
    const message = failure({
      ...SELF_CLIENT,
      [V.dataCentre]: 'us',
      [V.edition]: 'developer',
      [V.accountsUrl]: 'ftp://accounts.example',
    }).message;
    expect(message).toContain('WASYNC_LIVE_ZOHO_EDITION: ');
    expect(message).toContain('WASYNC_LIVE_ZOHO_ACCOUNTS_URL: ');
  });

  it('builds the connection a user would make from complete variables', () => {
    expect(liveZohoConfig({ ...SELF_CLIENT, [V.dataCentre]: ' eu ' })).toEqual({
      connection: {
        kind: 'zoho',
        name: 'wasync live test',
        dataCentre: 'eu',
        edition: 'enterprise',
        licenses: 1,
        leadCompany: 'WhatsApp',
        leadSource: null,
        auth: {
          flow: 'refresh_token',
          clientId: '1000.ABCDEF',
          clientSecret: 'secret',
          refreshToken: '1000.refresh.token',
        },
      },
    });
    expect(
      liveZohoConfig({
        ...SELF_CLIENT,
        [V.dataCentre]: 'us',
        [V.edition]: 'free',
        [V.accountsUrl]: 'http://127.0.0.1:4100',
      }),
    ).toMatchObject({
      connection: { dataCentre: 'us', edition: 'free', accountsUrl: 'http://127.0.0.1:4100' },
    });
  });
});
