import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { DEMO_CLIENT } from '../src/sandboxes/zoho/index.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { answerConsent, followCallback, oauthOutcome } from './support/oauth-steps.js';
import { type Browser, team } from './support/team.js';
import { startTestZoho, type TestZoho } from './support/zoho-org.js';

const ANA = '+5511987654321';
const REDIRECT = 'http://localhost:80/api/v1/oauth/zoho/callback';

const outcomeOf = oauthOutcome;

describeEachDatabase('OAuth sign-in at Zoho (server-based app, Multi DC)', (database) => {
  let zoho: TestZoho;
  let h: Harness;
  let ada: Browser;

  beforeAll(async () => {
    zoho = await startTestZoho();
  });
  afterAll(() => zoho.close());
  beforeEach(async () => {
    await zoho.reset();
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR' });
    ({
      ada: { browser: ada },
    } = await team(h, { ada: 'admin' }));
  });
  afterEach(() => h.close());

  const setApp = (clientSecret = DEMO_CLIENT.clientSecret) =>
    ada.call('PUT', '/oauth/zoho/app', { clientId: DEMO_CLIENT.clientId, clientSecret });
  const start = (name = 'Zoho via OAuth', accountsUrl = zoho.url) =>
    ada.call('POST', '/oauth/zoho/start', { name, accountsUrl });

  /**
   * The browser at the accounts server: opens the authorize URL and answers the consent page, posted
   * to `consentAt` (the accounts server the redirect then names as `accounts-server`); answers the
   * redirect's Location, the callback URL.
   */
  const consent = (authorizeUrl: string, decision = 'accept', consentAt = zoho.url) =>
    answerConsent(authorizeUrl, `${consentAt}/oauth/v2/auth`, decision);
  const callback = (location: URL) => followCallback(ada, 'zoho', location);
  const connectionRows = () => h.services.store.sql.db.selectFrom('crm_connections').selectAll().execute();

  it('asks for offline access with consent, the scopes comma-separated and PKCE, and comes back with a connection that syncs', async () => {
    expect((await setApp()).statusCode).toBe(200);
    const started = await start();
    expect(started.statusCode, started.body).toBe(200);
    const authorizeUrl = new URL(started.json().authorizeUrl);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${zoho.url}/oauth/v2/auth`);
    expect(Object.fromEntries(authorizeUrl.searchParams)).toEqual({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope:
        'ZohoCRM.modules.ALL,ZohoCRM.coql.READ,ZohoCRM.settings.fields.READ,ZohoCRM.org.READ,ZohoCRM.users.READ,ZohoSearch.securesearch.READ',
      access_type: 'offline',
      prompt: 'consent',
      state: expect.any(String),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });

    const location = await consent(authorizeUrl.toString());
    expect(location.searchParams.get('accounts-server')).toBe(zoho.url);
    const outcome = outcomeOf(await callback(location));
    expect(outcome).toMatchObject({ oauth: 'connected', kind: 'zoho', name: 'Zoho via OAuth' });
    const connection = (await ada.call('GET', `/connections/${outcome.connection}`)).json();
    expect(connection).toMatchObject({
      kind: 'zoho',
      name: 'Zoho via OAuth',
      state: 'active',
      settings: {
        dataCentre: 'us',
        accountsUrl: zoho.url,
        clientId: DEMO_CLIENT.clientId,
        apiDomain: zoho.url,
        via: 'oauth',
      },
    });
    expect(JSON.stringify(await connectionRows())).not.toContain(DEMO_CLIENT.clientSecret);

    // The same settings POST /connections makes from the same body, and the same summary.
    const typed = await ada.call('POST', '/connections', zoho.connectionInput('Typed in'));
    expect(typed.statusCode, typed.body).toBe(201);
    expect(connection.settings).toEqual({ ...typed.json().settings, apiDomain: zoho.url, via: 'oauth' });
    expect(connection.summary).toBe(typed.json().summary);

    // An ordinary refresh-token connection: it signs in, and syncs a chat onto the contact.
    expect((await ada.call('POST', `/connections/${outcome.connection}/test`)).json()).toMatchObject({
      ok: true,
    });
    const anaId = await zoho.seed('Contacts', {
      First_Name: 'Ana',
      Last_Name: 'Souza',
      Phone: '+55 11 98765-4321',
    });
    const account: Account = await h.createAccount('+5511900001111');
    await h.postMessages(account, [
      {
        id: 'wamid.zoho-oauth-1',
        chat: { type: 'direct', with: { phone: ANA } },
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        text: 'signed in at Zoho by OAuth',
      },
    ]);
    const run = await h.services.sync.runNow(String(outcome.connection));
    expect(run.state).toBe('done');
    const notes = (await zoho.notes()).filter((note) => note.parent.id === anaId);
    expect(notes).toHaveLength(1);
    expect(JSON.stringify(notes[0])).toContain('signed in at Zoho by OAuth');
  });

  it("redeems the code at the redirect's accounts server (Multi DC), and refuses one that is not Zoho's", async () => {
    await setApp();
    // The user's data centre answers from another host than the one the sign-in started at.
    const elsewhere = zoho.url.replace('127.0.0.1', 'localhost');
    const moved = await consent((await start('Other DC')).json().authorizeUrl, 'accept', elsewhere);
    expect(moved.searchParams.get('accounts-server')).toBe(elsewhere);
    const outcome = outcomeOf(await callback(moved));
    expect(outcome).toMatchObject({ oauth: 'connected', name: 'Other DC' });
    const connection = (await ada.call('GET', `/connections/${outcome.connection}`)).json();
    // The token answer came from there: its api_domain is the host the token request reached.
    expect(connection.settings).toMatchObject({ accountsUrl: elsewhere, apiDomain: elsewhere });

    // A callback whose accounts server is not Zoho's: the code and the client secret go nowhere.
    const forged = await consent((await start('Forged')).json().authorizeUrl);
    forged.searchParams.set('accounts-server', 'https://accounts.example.com');
    const refused = outcomeOf(await callback(forged));
    expect(refused).toMatchObject({ oauth: 'failed', code: 'url_forbidden' });
    expect(refused.message).toContain('accounts-server: https://accounts.example.com is not Zoho');
    expect((await connectionRows()).map((row) => row.name)).toEqual(['Other DC']);
  });

  it("shows Zoho's refusals, answered with HTTP 200, as a refused sign-in with Zoho's reason; nothing stored", async () => {
    await setApp('not the secret');
    const refused = outcomeOf(await callback(await consent((await start()).json().authorizeUrl)));
    expect(refused).toEqual({
      oauth: 'failed',
      code: 'oauth_refused',
      message: 'Zoho refused the sign-in: invalid_client (invalid_client).',
    });

    await setApp();
    const declined = outcomeOf(await callback(await consent((await start()).json().authorizeUrl, 'reject')));
    expect(declined).toEqual({
      oauth: 'failed',
      code: 'oauth_access_denied',
      message: 'You declined access in Zoho.',
    });
    expect(await connectionRows()).toEqual([]);
  });

  it("starts only at a Zoho accounts server (or an allow-listed one), and lists Zoho's sign-in form", async () => {
    await setApp();
    const refused = await start('Elsewhere', 'https://accounts.example.com');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('url_forbidden');
    const eu = await start('EU', 'https://accounts.zoho.eu');
    expect(eu.statusCode, eu.body).toBe(200);
    expect(eu.json().authorizeUrl).toMatch(/^https:\/\/accounts\.zoho\.eu\/oauth\/v2\/auth\?/);

    const kinds = (await ada.call('GET', '/crm-kinds')).json().data;
    const form = kinds.find((k: { kind: string }) => k.kind === 'zoho');
    expect(form).toMatchObject({ oauth: true, oauthForm: { clientIdLabel: 'Client ID' } });
    const where = form.oauthForm.start.fields.find((f: { name: string }) => f.name === 'accountsUrl');
    expect(where.options.map((o: { value: string }) => o.value)).toContain('https://accounts.zoho.eu');
    expect(where.other).toMatchObject({ label: 'Other accounts server', type: 'url' });
  });
});
