import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_JWT_PRIVATE_KEY_PEM } from '../../src/sandboxes/salesforce/index.js';
import { LIVE_VARIABLES, LiveConfigError, liveSalesforceConfig } from './live-config.js';

const MY_DOMAIN = 'https://acme-dev-ed.develop.my.salesforce.com';
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-live-key-'));
const keyFile = path.join(keyDir, 'server.key');
fs.writeFileSync(keyFile, DEMO_JWT_PRIVATE_KEY_PEM);
afterAll(() => fs.rmSync(keyDir, { recursive: true, force: true }));

/** The error the config throws, for its message. */
function failure(env: NodeJS.ProcessEnv): LiveConfigError {
  try {
    liveSalesforceConfig(env);
  } catch (error) {
    if (error instanceof LiveConfigError) return error;
    throw error;
  }
  throw new Error('expected the variables to be refused');
}

describe('the live Salesforce suite reads its variables', () => {
  it('is skipped when none is set, naming every variable a run needs, whatever CI requires of other services', () => {
    const config = liveSalesforceConfig({ PATH: '/usr/bin', WASYNC_TEST_REQUIRE_SERVICES: '1' });
    if (!('skipped' in config)) throw new Error('expected a skip');
    for (const name of Object.values(LIVE_VARIABLES)) expect(config.skipped).toContain(name);
    expect(config.skipped).toContain('client_credentials | jwt_bearer | refresh_token');
  });

  it('takes blank variables for unset ones', () => {
    expect(
      liveSalesforceConfig({ [LIVE_VARIABLES.loginUrl]: '', [LIVE_VARIABLES.flow]: '  ' }),
    ).toHaveProperty('skipped');
  });

  it('names the variables missing when only some are set', () => {
    expect(failure({ [LIVE_VARIABLES.loginUrl]: MY_DOMAIN }).message).toMatch(
      /missing WASYNC_LIVE_SALESFORCE_FLOW\. Set them, or unset every WASYNC_LIVE_SALESFORCE_\* variable/,
    );
    const message = failure({
      [LIVE_VARIABLES.flow]: 'client_credentials',
      [LIVE_VARIABLES.clientId]: 'key',
    }).message;
    expect(message).toContain(
      'missing WASYNC_LIVE_SALESFORCE_LOGIN_URL, WASYNC_LIVE_SALESFORCE_CLIENT_SECRET (the client_credentials flow needs them)',
    );
  });

  it('asks for what the chosen flow needs, not what another flow needs', () => {
    const message = failure({
      [LIVE_VARIABLES.loginUrl]: MY_DOMAIN,
      [LIVE_VARIABLES.flow]: 'jwt_bearer',
      [LIVE_VARIABLES.clientId]: 'key',
    }).message;
    expect(message).toContain(
      'missing WASYNC_LIVE_SALESFORCE_USERNAME, WASYNC_LIVE_SALESFORCE_PRIVATE_KEY_FILE (the jwt_bearer flow needs them)',
    );
    expect(message).not.toContain('missing WASYNC_LIVE_SALESFORCE_CLIENT_SECRET');
  });

  it('refuses an unknown flow and a misspelt variable, saying what it accepts', () => {
    expect(failure({ [LIVE_VARIABLES.loginUrl]: MY_DOMAIN, [LIVE_VARIABLES.flow]: 'password' }).message).toBe(
      'WASYNC_LIVE_SALESFORCE_FLOW is "password"; it must be one of client_credentials, jwt_bearer, refresh_token.',
    );
    expect(failure({ WASYNC_LIVE_SALESFORCE_CLIENTID: 'key' }).message).toMatch(
      /^Unknown variable WASYNC_LIVE_SALESFORCE_CLIENTID; the live Salesforce suite reads WASYNC_LIVE_SALESFORCE_LOGIN_URL, /,
    );
  });

  it('says which variable holds a bad value, in the words of the connection form', () => {
    const clientCredentials = {
      [LIVE_VARIABLES.flow]: 'client_credentials',
      [LIVE_VARIABLES.clientId]: 'key',
      [LIVE_VARIABLES.clientSecret]: 'secret',
    };
    expect(
      failure({ ...clientCredentials, [LIVE_VARIABLES.loginUrl]: 'https://login.salesforce.com' }).message,
    ).toContain('WASYNC_LIVE_SALESFORCE_LOGIN_URL: The client credentials flow works only on your org');
    expect(
      failure({
        ...clientCredentials,
        [LIVE_VARIABLES.loginUrl]: MY_DOMAIN,
        [LIVE_VARIABLES.apiVersion]: 'v62',
      }).message,
    ).toContain('WASYNC_LIVE_SALESFORCE_API_VERSION: ');
    const jwt = {
      [LIVE_VARIABLES.loginUrl]: MY_DOMAIN,
      [LIVE_VARIABLES.flow]: 'jwt_bearer',
      [LIVE_VARIABLES.clientId]: 'key',
      [LIVE_VARIABLES.username]: 'admin@acme.dev',
    };
    const unreadable = path.join(keyDir, 'absent.key');
    expect(failure({ ...jwt, [LIVE_VARIABLES.privateKeyFile]: unreadable }).message).toContain(
      `WASYNC_LIVE_SALESFORCE_PRIVATE_KEY_FILE names ${unreadable}, which cannot be read`,
    );
    const notAKey = path.join(keyDir, 'server.crt');
    fs.writeFileSync(notAKey, '-----BEGIN CERTIFICATE-----\n');
    expect(failure({ ...jwt, [LIVE_VARIABLES.privateKeyFile]: notAKey }).message).toContain(
      'WASYNC_LIVE_SALESFORCE_PRIVATE_KEY_FILE (the file must hold a PEM private key)',
    );
  });

  it('builds the connection a user would make from complete variables', () => {
    expect(
      liveSalesforceConfig({
        [LIVE_VARIABLES.loginUrl]: MY_DOMAIN,
        [LIVE_VARIABLES.flow]: 'jwt_bearer',
        [LIVE_VARIABLES.clientId]: 'key',
        [LIVE_VARIABLES.username]: 'admin@acme.dev',
        [LIVE_VARIABLES.privateKeyFile]: keyFile,
        [LIVE_VARIABLES.audience]: MY_DOMAIN,
        [LIVE_VARIABLES.apiVersion]: '64.0',
      }),
    ).toMatchObject({
      connection: {
        loginUrl: MY_DOMAIN,
        apiVersion: '64.0',
        auth: {
          flow: 'jwt_bearer',
          clientId: 'key',
          username: 'admin@acme.dev',
          privateKeyPem: DEMO_JWT_PRIVATE_KEY_PEM,
          audience: MY_DOMAIN,
        },
      },
    });
    expect(
      liveSalesforceConfig({
        [LIVE_VARIABLES.loginUrl]: 'https://login.salesforce.com',
        [LIVE_VARIABLES.flow]: 'refresh_token',
        [LIVE_VARIABLES.clientId]: 'key',
        [LIVE_VARIABLES.clientSecret]: 'secret',
        [LIVE_VARIABLES.refreshToken]: '5Aep861',
      }),
    ).toMatchObject({
      connection: {
        apiVersion: '62.0',
        auth: { flow: 'refresh_token', clientId: 'key', clientSecret: 'secret', refreshToken: '5Aep861' },
      },
    });
  });
});
