import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import type { OAuthProvider } from '../src/crms/oauth/provider.js';
import { ReferenceCrm } from '../src/crms/reference/crm.js';
import { referenceKind } from '../src/crms/reference/kind.js';
import { crmRegistry } from '../src/crms/registry.js';
import { DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import { type Browser, team } from './support/team.js';

/**
 * A second kind that signs in at its CRM, registered through the registry alone: its start body and
 * form come from its provider (the API document takes every provider's body, the route checks the
 * kind's own), and the callback makes its connection through the same path as POST /connections.
 * The Salesforce sandbox stands in for its authorization server: the flow is the same for every CRM.
 */
let org: TestOrg;
const crm = new ReferenceCrm('oauth-crm-key');

const OAuthCrmStart = z
  .strictObject({ name: z.string().min(1).max(128), workspaceLabel: z.string().trim().min(1) })
  .meta({ id: 'OauthcrmOAuthStart' });

const provider: OAuthProvider<z.infer<typeof OAuthCrmStart>> = {
  kind: 'oauthcrm',
  label: 'Reference CRM',
  startInput: OAuthCrmStart,
  form: {
    appIntro: 'An app with the scope `api`:',
    clientIdLabel: 'Client id',
    clientSecretLabel: 'Client secret',
    start: {
      fields: [
        { name: 'name', label: 'Name', type: 'text', required: true, secret: false },
        { name: 'workspaceLabel', label: 'Workspace', type: 'text', required: true, secret: false },
      ],
    },
  },
  checkStart: () => undefined,
  endpoints: () => ({
    issuer: org.url,
    authorizationEndpoint: `${org.url}/services/oauth2/authorize`,
    tokenEndpoint: `${org.url}/services/oauth2/token`,
  }),
  scopes: ['api', 'refresh_token'],
  noRefreshToken: 'give the app the refresh_token scope and connect again.',
  connection: ({ start }) => ({
    input: { kind: 'oauthcrm', name: start.name, workspaceLabel: start.workspaceLabel, apiKey: crm.apiKey },
    learned: { via: 'oauth' },
  }),
};

beforeAll(async () => {
  org = await startTestOrg();
  crmRegistry.register({ ...referenceKind(crm, { kind: 'oauthcrm', leads: false }), oauth: provider });
});
afterAll(async () => {
  crmRegistry.unregister('oauthcrm');
  await org.close();
});

describeEachDatabase(
  'a second kind that signs in at its CRM, registered through the registry alone',
  (database) => {
    let h: Harness;
    let ada: Browser;

    beforeEach(async () => {
      h = await startHarness(database);
      ({
        ada: { browser: ada },
      } = await team(h, { ada: 'admin' }));
    });
    afterEach(() => h.close());

    /** The browser at the authorization server: Allow, and where it sends the browser back. */
    const consent = async (authorizeUrl: string): Promise<string> => {
      const html = await (await fetch(authorizeUrl)).text();
      const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
      if (!ticket) throw new Error(`no consent form in ${html}`);
      const answered = await fetch(`${org.url}/services/oauth2/authorize`, {
        method: 'POST',
        body: new URLSearchParams({ ticket, decision: 'allow' }),
        redirect: 'manual',
      });
      return String(answered.headers.get('location'));
    };

    it('lists its forms, takes its own start body only, and comes back to a working connection', async () => {
      const kinds = (await ada.call('GET', '/crm-kinds')).json().data;
      expect(kinds.find((k: { kind: string }) => k.kind === 'oauthcrm')).toMatchObject({
        oauth: true,
        oauthForm: provider.form,
      });
      // The document's start body is any provider's.
      const document = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
      const start = document.paths['/api/v1/oauth/{kind}/start'].post;
      expect(start.parameters.find((p: { name: string }) => p.name === 'kind').schema.enum).toEqual([
        'salesforce',
        'zoho',
        'bitrix24',
        'oauthcrm',
      ]);
      expect(start.requestBody.content['application/json'].schema.anyOf).toEqual([
        { $ref: '#/components/schemas/SalesforceOAuthStartInput' },
        { $ref: '#/components/schemas/ZohoOAuthStartInput' },
        { $ref: '#/components/schemas/Bitrix24OAuthStartInput' },
        { $ref: '#/components/schemas/OauthcrmOAuthStartInput' },
      ]);

      const app = { clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret };
      expect((await ada.call('PUT', '/oauth/oauthcrm/app', app)).statusCode).toBe(200);
      // Each kind takes its own body: the other kind's is refused by the kind's check.
      const salesforceBody = await ada.call('POST', '/oauth/oauthcrm/start', {
        name: 'Wrong body',
        loginUrl: org.url,
      });
      expect(salesforceBody.statusCode).toBe(400);
      expect(salesforceBody.json().error.code).toBe('validation_failed');
      const ownBody = { name: 'Signed in', workspaceLabel: 'sales' };
      const elsewhere = await ada.call('POST', '/oauth/salesforce/start', ownBody);
      expect(elsewhere.statusCode).toBe(400);
      expect(elsewhere.json().error.code).toBe('validation_failed');

      const started = await ada.call('POST', '/oauth/oauthcrm/start', ownBody);
      expect(started.statusCode, started.body).toBe(200);
      const location = new URL(await consent(started.json().authorizeUrl));
      expect(location.pathname).toBe('/api/v1/oauth/oauthcrm/callback');
      const back = await ada.call(
        'GET',
        `${location.pathname.slice('/api/v1'.length)}${location.search}`,
        undefined,
        {
          csrf: false,
        },
      );
      const outcome = Object.fromEntries(
        new URL(String(back.headers.location), 'http://wasync.test').searchParams,
      );
      expect(outcome).toMatchObject({ oauth: 'connected', kind: 'oauthcrm', name: 'Signed in' });

      // Made as POST /connections makes one of the kind: its settings split from its secrets, its
      // summary, its audit entry.
      const connection = (await ada.call('GET', `/connections/${outcome.connection}`)).json();
      expect(connection).toMatchObject({
        kind: 'oauthcrm',
        name: 'Signed in',
        settings: { workspaceLabel: 'sales', via: 'oauth' },
        summary: 'workspace sales',
      });
      expect(JSON.stringify(connection)).not.toContain(crm.apiKey);
      expect((await ada.call('POST', `/connections/${outcome.connection}/test`)).json()).toEqual({
        ok: true,
        problems: [],
      });
      const audit = (await ada.call('GET', '/audit?action=connection.created')).json();
      expect(audit.data[0]).toMatchObject({
        target: { id: outcome.connection },
        details: { kind: 'oauthcrm', settings: connection.settings, via: 'oauth' },
      });
    });
  },
);
