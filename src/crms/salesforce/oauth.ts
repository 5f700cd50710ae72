import { z } from 'zod';
import { checkVendorUrl, SALESFORCE } from '../../net/vendor-urls.js';
import type { OAuthProvider } from '../oauth/provider.js';
import { SalesforceConnectionInput } from './connection.js';
import { LOGIN_URL_FIELD, NAME_FIELD } from './form-fields.js';

// The select keeps the typed field's placeholder for its last, typed-in choice (the My Domain URL).
const { placeholder: myDomainPlaceholder, ...loginUrlTyped } = LOGIN_URL_FIELD;

/** What an admin gives to sign in at Salesforce: the connection's name, and which login. */
export const SalesforceOAuthStart = z
  .strictObject({
    name: SalesforceConnectionInput.shape.name,
    loginUrl: SalesforceConnectionInput.shape.loginUrl.describe(
      'Where to sign in: https://login.salesforce.com (production), https://test.salesforce.com (a sandbox org), or your My Domain URL.',
    ),
  })
  .meta({ id: 'SalesforceOAuthStart' });

export type SalesforceOAuthStart = z.infer<typeof SalesforceOAuthStart>;

/**
 * Salesforce's web server flow (OAuth 2.0 authorization code grant) with PKCE: Salesforce Help,
 * "OAuth 2.0 Web Server Flow for Web App Integration" and "Proof Key for Code Exchange (PKCE)
 * Extension". The authorize and token endpoints live under the login URL (login.salesforce.com,
 * test.salesforce.com or the org's My Domain); `api` reaches the REST API and `refresh_token` makes
 * the answer carry the refresh token the connection then signs in with (Salesforce Help, "OAuth
 * Tokens and Scopes"). The answer's `instance_url` is where the org lives.
 */
export const salesforceOAuth: OAuthProvider<SalesforceOAuthStart> = {
  kind: 'salesforce',
  label: 'Salesforce',
  startInput: SalesforceOAuthStart,
  checkStart: (start, allow) => {
    checkVendorUrl(start.loginUrl, SALESFORCE, allow, 'loginUrl');
  },
  endpoints: (start) => {
    const base = start.loginUrl.replace(/\/+$/, '');
    return {
      issuer: base,
      authorizationEndpoint: `${base}/services/oauth2/authorize`,
      tokenEndpoint: `${base}/services/oauth2/token`,
    };
  },
  scopes: ['api', 'refresh_token'],
  noRefreshToken: 'give the app the refresh_token scope ("Perform requests at any time") and connect again.',
  form: {
    appIntro:
      'Once per workspace: an External Client App (or Connected App) in Salesforce with OAuth on, the scopes `api` and `refresh_token`, PKCE required, and this callback URL:',
    clientIdLabel: 'Consumer key (client id)',
    clientSecretLabel: 'Consumer secret',
    start: {
      fields: [
        NAME_FIELD,
        {
          ...loginUrlTyped,
          label: 'Where you sign in',
          type: 'select',
          defaultValue: 'https://login.salesforce.com',
          options: [
            { value: 'https://login.salesforce.com', label: 'Production (login.salesforce.com)' },
            { value: 'https://test.salesforce.com', label: 'Sandbox org (test.salesforce.com)' },
          ],
          other: { label: 'My Domain URL', type: 'url', placeholder: myDomainPlaceholder },
        },
      ],
    },
  },
  connection: ({ start, clientId, clientSecret, refreshToken, token, allow }) => {
    const instanceUrl = typeof token.instance_url === 'string' ? token.instance_url : undefined;
    if (instanceUrl !== undefined) checkVendorUrl(instanceUrl, SALESFORCE, allow, 'instance_url');
    return {
      // An ordinary refresh-token connection, as POST /connections takes one.
      input: {
        kind: 'salesforce',
        name: start.name,
        loginUrl: start.loginUrl,
        auth: { flow: 'refresh_token', clientId, clientSecret, refreshToken },
      },
      // Every sign-in answers the instance URL again (orgs move); this one is shown, not relied on.
      learned: { ...(instanceUrl ? { instanceUrl: instanceUrl.replace(/\/+$/, '') } : {}), via: 'oauth' },
    };
  },
};
