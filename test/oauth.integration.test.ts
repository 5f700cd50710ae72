import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { SecretBox } from '../src/core/secret-box.js';
import { DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import { oauthAppContext } from '../src/store/repositories/oauth.js';
import { checkSecretKey, resealSecrets } from '../src/store/sealed-secrets.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { oauthOutcome } from './support/oauth-steps.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import { type Browser, team } from './support/team.js';

const ANA = '+5511987654321';

const outcomeOf = oauthOutcome;

describeEachDatabase('OAuth sign-in at Salesforce (web server flow with PKCE)', (database) => {
  let org: TestOrg;
  let h: Harness;
  let ada: Browser;
  let cy: Browser;
  let bo: Browser;

  beforeAll(async () => {
    org = await startTestOrg();
  });
  afterAll(() => org.close());
  beforeEach(async () => {
    await org.reset();
    h = await startHarness(database, { WASYNC_DEFAULT_REGION: 'BR' });
    ({
      ada: { browser: ada },
      cy: { browser: cy },
      bo: { browser: bo },
    } = await team(h, {
      ada: 'admin',
      cy: 'admin',
      bo: 'member',
    }));
  });
  afterEach(() => h.close());

  const setApp = (browser: Browser = ada) =>
    browser.call('PUT', '/oauth/salesforce/app', {
      clientId: DEMO_CLIENT.clientId,
      clientSecret: DEMO_CLIENT.clientSecret,
    });
  const start = (browser: Browser = ada, name = 'Org via OAuth', loginUrl = org.url) =>
    browser.call('POST', '/oauth/salesforce/start', { name, loginUrl });

  /**
   * What the browser does at the org: opens the authorize URL, clicks Allow (or Deny) on the consent
   * page, and answers the redirect's Location, the callback URL with code and state.
   */
  const consent = async (authorizeUrl: string, decision: 'allow' | 'deny' = 'allow'): Promise<string> => {
    const page = await fetch(authorizeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Allow');
    const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
    if (!ticket) throw new Error(`no consent form in ${html}`);
    const answered = await fetch(`${org.url}/services/oauth2/authorize`, {
      method: 'POST',
      body: new URLSearchParams({ ticket, decision }),
      redirect: 'manual',
    });
    expect(answered.status).toBe(302);
    return String(answered.headers.get('location'));
  };
  /** Follows the org's redirect back to wasync with this browser (its session cookie, no CSRF header). */
  const callback = (browser: Browser, location: string) => {
    const url = new URL(location);
    expect(url.pathname).toBe('/api/v1/oauth/salesforce/callback');
    return browser.call('GET', `${url.pathname.slice('/api/v1'.length)}${url.search}`, undefined, {
      csrf: false,
    });
  };
  const connectionRows = () => h.services.store.sql.db.selectFrom('crm_connections').selectAll().execute();

  it('sets the app once: the secret sealed and never answered, the callback URL to register shown', async () => {
    const before = (await ada.call('GET', '/oauth/salesforce/app')).json();
    expect(before).toEqual({
      kind: 'salesforce',
      configured: false,
      redirectUri: 'http://localhost:80/api/v1/oauth/salesforce/callback',
    });
    const set = await setApp();
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ configured: true, clientId: DEMO_CLIENT.clientId });
    const after = await ada.call('GET', '/oauth/salesforce/app');
    expect(after.json()).toMatchObject({ configured: true, clientId: DEMO_CLIENT.clientId });
    for (const body of [set.body, after.body]) expect(body).not.toContain(DEMO_CLIENT.clientSecret);
    const row = await h.services.store.sql.db.selectFrom('oauth_apps').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(DEMO_CLIENT.clientSecret);
    expect(row.credentials).toMatch(/^v1:/);
    // Members may neither read nor set it.
    expect((await bo.call('GET', '/oauth/salesforce/app')).statusCode).toBe(403);
    expect((await setApp(bo)).statusCode).toBe(403);
    expect((await ada.call('GET', '/oauth/nocrm/app')).statusCode).toBe(400);
  });

  it("re-seals the app's secret when the secret key rotates, and refuses a key that cannot open it", async () => {
    await setApp();
    const { db } = h.services.store.sql;
    const next = new SecretBox('another secret key, long enough to be one');
    await expect(checkSecretKey(db, next)).rejects.toThrow(/sealed with another key/);
    await resealSecrets(db, new SecretBox(h.services.secretKey), next);
    const row = await db.selectFrom('oauth_apps').selectAll().executeTakeFirstOrThrow();
    expect(next.open(row.credentials, oauthAppContext(h.services.workspace.id, 'salesforce'))).toBe(
      DEMO_CLIENT.clientSecret,
    );
  });

  it('connects through the consent page and back, to a connection that signs in and syncs a chat', async () => {
    await setApp();
    const started = await start();
    expect(started.statusCode, started.body).toBe(200);
    const authorizeUrl = new URL(started.json().authorizeUrl);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${org.url}/services/oauth2/authorize`);
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: DEMO_CLIENT.clientId,
      redirect_uri: 'http://localhost:80/api/v1/oauth/salesforce/callback',
      scope: 'api refresh_token',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.any(String),
    });
    // Neither the state nor a verifier is stored as such.
    const pending = await h.services.store.sql.db.selectFrom('oauth_requests').selectAll().execute();
    expect(pending).toHaveLength(1);
    expect(JSON.stringify(pending)).not.toContain(authorizeUrl.searchParams.get('state'));

    const back = await callback(ada, await consent(authorizeUrl.toString()));
    const outcome = outcomeOf(back);
    expect(outcome).toMatchObject({ oauth: 'connected', kind: 'salesforce', name: 'Org via OAuth' });
    expect(back.headers['cache-control']).toBe('no-store');
    const connection = (await ada.call('GET', `/connections/${outcome.connection}`)).json();
    expect(connection).toMatchObject({
      kind: 'salesforce',
      name: 'Org via OAuth',
      state: 'active',
      settings: {
        loginUrl: org.url,
        flow: 'refresh_token',
        clientId: DEMO_CLIENT.clientId,
        instanceUrl: org.url,
      },
    });
    const [row] = await connectionRows();
    expect(row?.credentials).toMatch(/^v1:/);
    expect(await h.services.store.sql.db.selectFrom('oauth_requests').selectAll().execute()).toEqual([]);

    // The stored connection is an ordinary refresh-token connection: it signs in, and syncs.
    expect((await ada.call('POST', `/connections/${outcome.connection}/test`)).json()).toEqual({
      ok: true,
      problems: [],
    });
    const anaId = await org.seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza',
      Phone: '(11) 98765-4321',
    });
    const account: Account = await h.createAccount('+5511900001111');
    await h.postMessages(account, [
      {
        id: 'wamid.oauth-1',
        chat: { type: 'direct', with: { phone: ANA } },
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        text: 'signed in by OAuth',
      },
    ]);
    const run = await h.services.sync.runNow(String(outcome.connection));
    expect(run.state).toBe('done');
    const rows = (await org.records('WhatsApp_Chat__c')).filter((r) => r.Contact__c === anaId);
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.Transcript__c)).toContain('signed in by OAuth');

    // The audit entry of any new connection, saying how it was made.
    const audit = (await ada.call('GET', '/audit?action=connection.created')).json();
    expect(audit.data).toHaveLength(1);
    expect(audit.data[0]).toMatchObject({
      actor: { via: 'session' },
      target: { type: 'connection', id: outcome.connection, label: 'Org via OAuth' },
      details: { kind: 'salesforce', settings: connection.settings, via: 'oauth' },
    });
    expect(JSON.stringify(audit)).not.toContain(DEMO_CLIENT.clientSecret);
  });

  it('makes the connection POST /connections makes from the same body, the instance URL beside it', async () => {
    await setApp();
    const signedIn = outcomeOf(
      await callback(ada, await consent((await start(ada, 'Signed in')).json().authorizeUrl)),
    );
    const made = await ada.call('POST', '/connections', {
      kind: 'salesforce',
      name: 'Typed in',
      loginUrl: org.url,
      auth: { flow: 'refresh_token', clientId: DEMO_CLIENT.clientId, clientSecret: 'x', refreshToken: 'y' },
    });
    expect(made.statusCode, made.body).toBe(201);
    const viaOAuth = (await ada.call('GET', `/connections/${signedIn.connection}`)).json();
    // The same defaults filled in and the same one-line summary; the sign-in adds what it learned.
    expect(viaOAuth.settings).toEqual({ ...made.json().settings, instanceUrl: org.url, via: 'oauth' });
    expect(viaOAuth.summary).toBe(made.json().summary);

    // A name taken while the admin was at the CRM: refused by the same rule, nothing more stored.
    const location = await consent((await start(ada, 'Raced')).json().authorizeUrl);
    expect(
      (
        await ada.call('POST', '/connections', {
          kind: 'salesforce',
          name: 'Raced',
          loginUrl: org.url,
          auth: { flow: 'client_credentials', clientId: 'c', clientSecret: 's' },
        })
      ).statusCode,
    ).toBe(201);
    expect(outcomeOf(await callback(ada, location))).toEqual({
      oauth: 'failed',
      code: 'conflict',
      message: 'A connection named Raced already exists.',
    });
    expect((await connectionRows()).map((r) => r.name).sort()).toEqual(['Raced', 'Signed in', 'Typed in']);
  });

  it("lists the kind's sign-in forms with the kinds, and takes the start body the form describes", async () => {
    const kinds = (await ada.call('GET', '/crm-kinds')).json().data;
    const salesforce = kinds.find((k: { kind: string }) => k.kind === 'salesforce');
    expect(salesforce).toMatchObject({
      oauth: true,
      oauthForm: {
        clientIdLabel: 'Consumer key (client id)',
        clientSecretLabel: 'Consumer secret',
        start: {
          fields: [
            { name: 'name', type: 'text', required: true, defaultValue: 'Salesforce' },
            {
              name: 'loginUrl',
              type: 'select',
              required: true,
              defaultValue: 'https://login.salesforce.com',
              options: [{ value: 'https://login.salesforce.com' }, { value: 'https://test.salesforce.com' }],
              other: { label: 'My Domain URL', type: 'url' },
            },
          ],
        },
      },
    });
    // The document's start body is any provider's own schema.
    const document = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const body = document.paths['/api/v1/oauth/{kind}/start'].post.requestBody.content['application/json'];
    expect(body.schema.anyOf).toEqual([
      { $ref: '#/components/schemas/SalesforceOAuthStartInput' },
      { $ref: '#/components/schemas/ZohoOAuthStartInput' },
      { $ref: '#/components/schemas/Bitrix24OAuthStartInput' },
    ]);
    await setApp();
    // Only what the form describes: a connection's other fields are not a start's.
    const extra = await ada.call('POST', '/oauth/salesforce/start', {
      name: 'Extra',
      loginUrl: org.url,
      auth: { flow: 'refresh_token' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('validation_failed');
  });

  it('refuses a state used twice, from another session, without a session, or expired; nothing stored', async () => {
    await setApp();
    const location = await consent((await start()).json().authorizeUrl);

    // Another admin's browser, and a browser signed in to nothing: refused, and the state left alone.
    expect(outcomeOf(await callback(cy, location))).toMatchObject({
      oauth: 'failed',
      code: 'oauth_state_invalid',
    });
    const anonymous = await h.app.inject({
      method: 'GET',
      url: new URL(location).pathname + new URL(location).search,
    });
    expect(outcomeOf(anonymous)).toMatchObject({ oauth: 'failed', code: 'oauth_session_required' });
    const withToken = await h.app.inject({
      method: 'GET',
      url: new URL(location).pathname + new URL(location).search,
      headers: h.auth,
    });
    expect(outcomeOf(withToken)).toMatchObject({ oauth: 'failed', code: 'oauth_session_required' });
    expect(await connectionRows()).toEqual([]);

    // The admin's own browser: connected; the same callback again is refused.
    expect(outcomeOf(await callback(ada, location)).oauth).toBe('connected');
    const again = outcomeOf(await callback(ada, location));
    expect(again).toMatchObject({ oauth: 'failed', code: 'oauth_state_invalid' });
    expect(again.message).toContain('Connect Salesforce again');
    expect(await connectionRows()).toHaveLength(1);

    // Past ten minutes: refused as expired, and the request is gone.
    const late = await consent((await start(ada, 'Too late')).json().authorizeUrl);
    await h.services.store.sql.db
      .updateTable('oauth_requests')
      .set({ expires_at: Date.now() - 1 })
      .execute();
    expect(outcomeOf(await callback(ada, late))).toMatchObject({
      oauth: 'failed',
      code: 'oauth_state_expired',
    });
    expect(await h.services.store.sql.db.selectFrom('oauth_requests').selectAll().execute()).toEqual([]);
    // A made-up state.
    const forged = new URL(late);
    forged.searchParams.set('state', 'not-a-state-wasync-made');
    expect(outcomeOf(await callback(ada, forged.toString())).code).toBe('oauth_state_invalid');
    expect((await connectionRows()).map((r) => r.name)).toEqual(['Org via OAuth']);
  });

  it('refuses the callback of an admin demoted while at the CRM; nothing stored', async () => {
    await setApp();
    const location = await consent((await start(cy, 'Demoted')).json().authorizeUrl);
    const cyId = (await ada.call('GET', '/users'))
      .json()
      .data.find((u: { email: string }) => u.email === 'cy@example.com').id;
    expect((await ada.call('PATCH', `/users/${cyId}`, { role: 'member' })).statusCode).toBe(200);
    expect(outcomeOf(await callback(cy, location))).toMatchObject({ oauth: 'failed', code: 'forbidden' });
    expect(await connectionRows()).toEqual([]);
  });

  it('shows a declined consent, and the CRM refusing the code, to the admin', async () => {
    await setApp();
    const declined = outcomeOf(
      await callback(ada, await consent((await start()).json().authorizeUrl, 'deny')),
    );
    expect(declined).toEqual({
      oauth: 'failed',
      code: 'oauth_access_denied',
      message: 'You declined access in Salesforce.',
    });
    // The code spent before wasync exchanges it (as a replayed or intercepted code would be).
    const location = await consent((await start()).json().authorizeUrl);
    const code = new URL(location).searchParams.get('code') ?? '';
    const spent = await fetch(`${org.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: DEMO_CLIENT.clientId,
        client_secret: DEMO_CLIENT.clientSecret,
        redirect_uri: 'http://localhost:80/api/v1/oauth/salesforce/callback',
      }),
    });
    expect(spent.status).toBe(400);
    const refused = outcomeOf(await callback(ada, location));
    expect(refused).toMatchObject({ oauth: 'failed', code: 'oauth_refused' });
    expect(refused.message).toContain('invalid authorization code');
    expect(await connectionRows()).toEqual([]);
  });

  it('shows a wrong client secret as Salesforce refusing it, and an app removed meanwhile; nothing stored', async () => {
    expect(
      (
        await ada.call('PUT', '/oauth/salesforce/app', {
          clientId: DEMO_CLIENT.clientId,
          clientSecret: 'not the secret',
        })
      ).statusCode,
    ).toBe(200);
    const wrongSecret = outcomeOf(await callback(ada, await consent((await start()).json().authorizeUrl)));
    expect(wrongSecret).toEqual({
      oauth: 'failed',
      code: 'oauth_refused',
      message: 'Salesforce refused the sign-in: invalid client credentials (invalid_client).',
    });

    await setApp();
    const location = await consent((await start()).json().authorizeUrl);
    expect((await ada.call('DELETE', '/oauth/salesforce/app')).statusCode).toBe(204);
    expect((await ada.call('DELETE', '/oauth/salesforce/app')).statusCode).toBe(404);
    expect((await ada.call('GET', '/oauth/salesforce/app')).json().configured).toBe(false);
    expect(outcomeOf(await callback(ada, location))).toMatchObject({
      oauth: 'failed',
      code: 'oauth_app_missing',
    });
    expect(await connectionRows()).toEqual([]);
  });

  it('starts only for an admin in a browser session, with an app set, a free name and a Salesforce login URL', async () => {
    const missing = await start();
    expect(missing.statusCode).toBe(409);
    expect(missing.json().error.code).toBe('oauth_app_missing');
    await setApp();
    const viaToken = await h.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/salesforce/start',
      headers: h.auth,
      payload: { name: 'Scripted', loginUrl: org.url },
    });
    expect(viaToken.statusCode).toBe(403);
    expect(viaToken.json().error.code).toBe('oauth_session_required');
    expect((await start(bo)).statusCode).toBe(403);
    const elsewhere = await start(ada, 'Elsewhere', 'https://login.example.com');
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().error.code).toBe('url_forbidden');
    expect((await start(ada, 'Not a URL', 'login.salesforce.com')).json().error.code).toBe(
      'validation_failed',
    );
    // The CSRF header is needed to start, as for any change made with the session cookie.
    expect(
      (
        await ada.call('POST', '/oauth/salesforce/start', { name: 'x', loginUrl: org.url }, { csrf: false })
      ).json().error.code,
    ).toBe('csrf_failed');
    expect((await start()).statusCode).toBe(200);
    expect(
      outcomeOf(await callback(ada, await consent((await start(ada, 'Taken')).json().authorizeUrl))).oauth,
    ).toBe('connected');
    const taken = await start(ada, 'Taken');
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('conflict');
    expect(await h.services.store.sql.db.selectFrom('oauth_requests').selectAll().execute()).toHaveLength(1);
  });
});
