import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { DEMO_APPLICATION } from '../src/sandboxes/bitrix24/index.js';
import { startTestBitrix24, type TestBitrix24 } from './support/bitrix24-portal.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { answerConsent, followCallback, oauthOutcome } from './support/oauth-steps.js';
import { type Browser, team } from './support/team.js';

const REDIRECT = 'http://localhost:80/api/v1/oauth/bitrix24/callback';

const outcomeOf = oauthOutcome;

describeEachDatabase("OAuth sign-in at Bitrix24 (a portal's local application)", (database) => {
  let b24: TestBitrix24;
  let h: Harness;
  let ada: Browser;

  beforeAll(async () => {
    // The local application as the portal's administrator registered it, its handler wasync's callback.
    b24 = await startTestBitrix24({ applications: [{ ...DEMO_APPLICATION, redirectUri: REDIRECT }] });
  });
  afterAll(() => b24.close());
  beforeEach(async () => {
    await b24.inspect('POST', 'reset');
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR' });
    ({
      ada: { browser: ada },
    } = await team(h, { ada: 'admin' }));
  });
  afterEach(() => h.close());

  const setApp = (clientSecret = DEMO_APPLICATION.clientSecret) =>
    ada.call('PUT', '/oauth/bitrix24/app', { clientId: DEMO_APPLICATION.clientId, clientSecret });
  const start = (name = 'Bitrix24 via OAuth', portalUrl = b24.url) =>
    ada.call('POST', '/oauth/bitrix24/start', { name, portalUrl, oauthServer: b24.url });

  /** The browser on the portal: opens the authorize URL, answers the consent page, and follows the redirect. */
  const consent = (authorizeUrl: string, decision = 'accept') =>
    answerConsent(authorizeUrl, `${b24.url}/oauth/authorize/`, decision);
  const callback = (location: URL) => followCallback(ada, 'bitrix24', location);
  const connectionRows = () => h.services.store.sql.db.selectFrom('crm_connections').selectAll().execute();

  it('authorizes on the portal, redeems the code at the OAuth server, and comes back with a connection that works', async () => {
    expect((await setApp()).statusCode).toBe(200);
    const started = await start();
    expect(started.statusCode, started.body).toBe(200);
    const authorizeUrl = new URL(started.json().authorizeUrl);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${b24.url}/oauth/authorize/`);
    expect(authorizeUrl.searchParams.get('client_id')).toBe(DEMO_APPLICATION.clientId);
    expect(authorizeUrl.searchParams.get('scope')).toBe('crm,disk,user');

    const location = await consent(authorizeUrl.toString());
    expect(location.searchParams.get('member_id')).toBeTruthy();
    const outcome = outcomeOf(await callback(location));
    expect(outcome).toMatchObject({ oauth: 'connected', kind: 'bitrix24', name: 'Bitrix24 via OAuth' });
    const connection = (await ada.call('GET', `/connections/${outcome.connection}`)).json();
    expect(connection).toMatchObject({
      kind: 'bitrix24',
      state: 'active',
      settings: { flow: 'oauth', portalUrl: b24.url, oauthServer: b24.url, via: 'oauth' },
    });
    expect(connection.settings.memberId).toEqual(expect.any(String));
    const rows = JSON.stringify(await connectionRows());
    expect(rows).not.toContain(DEMO_APPLICATION.clientSecret);

    // An ordinary refresh-token connection: it renews its session and calls the portal.
    const tested = await ada.call('POST', `/connections/${outcome.connection}/test`);
    expect(tested.json()).toMatchObject({ ok: true });
    const contact = b24.portal.seedContact({ name: 'Ana', lastName: 'Souza', phones: ['+55 11 98765-4321'] });
    const found = await ada.call('GET', `/connections/${outcome.connection}/records?q=%2B5511987654321`);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().data.map((record: { id: string }) => record.id)).toEqual([String(contact.id)]);
  });

  it("shows the portal's refusals as a refused sign-in with its reason; nothing stored", async () => {
    await setApp('not the secret');
    const refused = outcomeOf(await callback(await consent((await start()).json().authorizeUrl)));
    expect(refused).toMatchObject({ oauth: 'failed', code: 'oauth_refused' });
    expect(refused.message).toContain('invalid_client');

    await setApp();
    const declined = outcomeOf(await callback(await consent((await start()).json().authorizeUrl, 'deny')));
    expect(declined).toEqual({
      oauth: 'failed',
      code: 'oauth_access_denied',
      message: 'You declined access in Bitrix24.',
    });
    expect(await connectionRows()).toEqual([]);
  });

  it('starts only at a Bitrix24 portal (or an allow-listed one)', async () => {
    await setApp();
    const refused = await ada.call('POST', '/oauth/bitrix24/start', {
      name: 'Elsewhere',
      portalUrl: 'https://crm.example.com',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('url_forbidden');
    const cloud = await ada.call('POST', '/oauth/bitrix24/start', {
      name: 'Cloud',
      portalUrl: 'https://acme.bitrix24.de',
    });
    expect(cloud.statusCode, cloud.body).toBe(200);
    expect(cloud.json().authorizeUrl).toMatch(/^https:\/\/acme\.bitrix24\.de\/oauth\/authorize\/\?/);
  });
});
