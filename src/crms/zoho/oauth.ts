import { z } from 'zod';
import { checkVendorUrl, ZOHO } from '../../net/vendor-urls.js';
import { connectionNameField } from '../kit/form-fields.js';
import type { OAuthEndpoints, OAuthProvider } from '../oauth/provider.js';
import { ZohoConnectionInput } from './connection.js';
import { ZOHO_DATA_CENTRE_NAMES, ZOHO_DATA_CENTRES, type ZohoDataCentre } from './data-centres.js';

/** What an admin gives to sign in at Zoho: the connection's name, and the data centre's accounts server. */
export const ZohoOAuthStart = z
  .strictObject({
    name: ZohoConnectionInput.shape.name,
    accountsUrl: z
      .url({ protocol: /^https?$/ })
      .describe(
        "Where to sign in: the accounts server of your data centre (https://accounts.zoho.com, https://accounts.zoho.eu, …), or a Zoho sandbox's.",
      ),
  })
  .meta({ id: 'ZohoOAuthStart' });

export type ZohoOAuthStart = z.infer<typeof ZohoOAuthStart>;

/**
 * The scopes the destination needs, comma-separated in the request as Zoho's examples write them
 * (Zoho Accounts OAuth, "Get authorization code": `scope`; Zoho CRM API v8, "Scopes"): records, notes,
 * attachments and deals (`modules.ALL`), COQL lookups, field metadata, the org and its users (the
 * connection test and record links), and the phone search.
 */
export const ZOHO_SCOPES = [
  'ZohoCRM.modules.ALL',
  'ZohoCRM.coql.READ',
  'ZohoCRM.settings.fields.READ',
  'ZohoCRM.org.READ',
  'ZohoCRM.users.READ',
  'ZohoSearch.securesearch.READ',
] as const;

const trimmed = (url: string) => url.replace(/\/+$/, '');

function endpointsAt(accountsServer: string): OAuthEndpoints {
  const base = trimmed(accountsServer);
  return {
    issuer: base,
    authorizationEndpoint: `${base}/oauth/v2/auth`,
    tokenEndpoint: `${base}/oauth/v2/token`,
  };
}

/** The data centre whose accounts server this is, if it is one of Zoho's. */
function dataCentreAt(accountsServer: string): ZohoDataCentre | undefined {
  return ZOHO_DATA_CENTRE_NAMES.find((dc) => ZOHO_DATA_CENTRES[dc].accounts === trimmed(accountsServer));
}

/**
 * Zoho's authorization code flow for server-based apps (Zoho Accounts OAuth 2.0, "Server-based apps",
 * "Get authorization code", "Get access token"), at `{accounts server}/oauth/v2/auth` and `/token`.
 * `access_type=offline` makes the token answer carry a refresh token, and `prompt=consent` makes Zoho
 * ask again and issue a new one even when the user consented before (without it, only the first
 * consent yields one: same page). PKCE is optional for server-based apps and recommended ("Server-based
 * apps - Overview"); the flow sends S256 ("Mobile-based apps", `code_challenge_method`), and the client
 * secret. With Multi DC on, a user of another data centre comes back with `location` and
 * `accounts-server`, and the code must be redeemed there (Zoho Accounts, "Multi DC support"). The token
 * answer's `api_domain` is where the org's API lives; the connection reads it again from every refresh.
 */
export const zohoOAuth: OAuthProvider<ZohoOAuthStart> = {
  kind: 'zoho',
  label: 'Zoho',
  startInput: ZohoOAuthStart,
  checkStart: (start, allow) => {
    checkVendorUrl(start.accountsUrl, ZOHO, allow, 'accountsUrl');
  },
  endpoints: (start) => endpointsAt(start.accountsUrl),
  scopes: ZOHO_SCOPES,
  scopeDelimiter: ',',
  // Unexpected with access_type=offline and prompt=consent; a client type without refresh tokens would do it.
  noRefreshToken: 'use a server-based client of the Zoho API console and connect again.',
  authorizationParameters: { access_type: 'offline', prompt: 'consent' },
  callbackEndpoints: (_start, endpoints, callback, allow) => {
    const server = callback['accounts-server'];
    if (server === undefined || trimmed(server) === endpoints.issuer) return endpoints;
    // The browser brought it: only a Zoho accounts server (or an allow-listed one) gets the code and secret.
    checkVendorUrl(server, ZOHO, allow, 'accounts-server');
    return endpointsAt(server);
  },
  form: {
    appIntro:
      'Once per workspace: a server-based client in the Zoho API console (api-console.zoho.com), with Multi DC on if your users sign in at more than one data centre, and this authorized redirect URI:',
    clientIdLabel: 'Client ID',
    clientSecretLabel: 'Client secret',
    start: {
      fields: [
        connectionNameField('Zoho CRM'),
        {
          name: 'accountsUrl',
          label: 'Data centre',
          type: 'select',
          required: true,
          secret: false,
          defaultValue: ZOHO_DATA_CENTRES.us.accounts,
          options: Object.values(ZOHO_DATA_CENTRES).map((dc) => ({ value: dc.accounts, label: dc.label })),
          other: {
            label: 'Other accounts server',
            type: 'url',
            placeholder: 'https://accounts.zoho.com',
          },
          hint: 'Where your Zoho account lives: the domain you sign in at.',
        },
      ],
    },
  },
  connection: ({ start, endpoints, callback, clientId, clientSecret, refreshToken, token, allow }) => {
    const apiDomain = typeof token.api_domain === 'string' ? token.api_domain : undefined;
    if (apiDomain !== undefined) checkVendorUrl(apiDomain, ZOHO, allow, 'api_domain');
    // Where the code was redeemed is where the refresh token works: a data centre's own server, or
    // (a sandbox) that server by URL, in the data centre the callback named.
    const known = dataCentreAt(endpoints.issuer);
    const location = callback.location?.toLowerCase();
    const dataCentre =
      known ??
      ZOHO_DATA_CENTRE_NAMES.find((dc) => dc === location) ??
      dataCentreAt(start.accountsUrl) ??
      'us';
    return {
      // An ordinary refresh-token connection, as POST /connections takes one.
      input: {
        kind: 'zoho',
        name: start.name,
        dataCentre,
        ...(known ? {} : { accountsUrl: endpoints.issuer }),
        auth: { flow: 'refresh_token', clientId, clientSecret, refreshToken },
      },
      // Shown, not relied on: every refresh answers the API domain again.
      learned: { ...(apiDomain ? { apiDomain: trimmed(apiDomain) } : {}), via: 'oauth' },
    };
  },
};
