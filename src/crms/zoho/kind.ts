import { checkVendorUrl, ZOHO } from '../../net/vendor-urls.js';
import { connectionNameField } from '../kit/form-fields.js';
import type { OAuthProvider } from '../oauth/provider.js';
import type { CrmKindDefinition } from '../registry.js';
import type { ZohoToken } from './auth.js';
import {
  DEFAULT_LEAD_COMPANY,
  describeZohoSettings,
  splitZohoInput,
  ZohoConnectionInput,
  zohoDestination,
  zohoSignIn,
} from './connection.js';
import { ZOHO_DATA_CENTRES } from './data-centres.js';
import { OrgLinks } from './destination.js';
import { ZOHO_EDITIONS } from './limits.js';
import { zohoOAuth } from './oauth.js';

/** Zoho CRM in the CRM registry. */
export const zohoKind: CrmKindDefinition = {
  kind: 'zoho',
  displayName: 'Zoho CRM',
  input: ZohoConnectionInput,
  secretFields: ['auth.clientSecret', 'auth.refreshToken'],
  split: (input) => splitZohoInput(ZohoConnectionInput.parse(input)),
  checkInput: (input, guarded) => {
    const { accountsUrl } = ZohoConnectionInput.parse(input);
    if (accountsUrl !== undefined) checkVendorUrl(accountsUrl, ZOHO, guarded.allow, 'accountsUrl');
  },
  regionSettings: ['dataCentre', 'accountsUrl'],
  describeSettings: describeZohoSettings,
  open: (connection) => {
    // One token holder per connection: setup, the connection test and every run share its session.
    const signIn = zohoSignIn(
      connection.settings,
      connection.secrets,
      connection.guarded,
      connection.tokenStore<ZohoToken>(),
      { limited: (limiter) => connection.limited(limiter) },
    );
    // The org's links are read once for the session, not once a run.
    const orgLinks = new OrgLinks();
    return { destination: () => zohoDestination(connection.settings, signIn, { orgLinks }) };
  },
  oauth: zohoOAuth as OAuthProvider,
  sandbox: 'zoho',
  capabilities: { leads: true, deals: true },
  form: {
    intro:
      'A Self Client (or a server-based client) in the Zoho API console, with a refresh token for the scopes `ZohoCRM.modules.ALL`, `ZohoCRM.coql.READ`, `ZohoCRM.settings.fields.READ`, `ZohoCRM.org.READ`, `ZohoCRM.users.READ` and `ZohoSearch.securesearch.READ`.',
    fields: [
      connectionNameField('Zoho CRM'),
      {
        name: 'dataCentre',
        label: 'Data centre',
        type: 'select',
        required: true,
        secret: false,
        defaultValue: 'us',
        options: Object.entries(ZOHO_DATA_CENTRES).map(([value, dc]) => ({ value, label: dc.label })),
        hint: 'Where your Zoho account lives: the domain you sign in at.',
      },
      {
        name: 'accountsUrl',
        label: 'Accounts server',
        type: 'url',
        required: false,
        secret: false,
        placeholder: 'https://accounts.zoho.com',
        hint: "Leave empty for the data centre's own; set it only for a Zoho sandbox or a proxy.",
      },
      {
        name: 'edition',
        label: 'Edition',
        type: 'select',
        required: true,
        secret: false,
        defaultValue: 'enterprise',
        options: Object.entries(ZOHO_EDITIONS).map(([value, edition]) => ({ value, label: edition.label })),
        hint: 'Sets the API credits per day and how many requests Zoho takes at once.',
      },
      {
        name: 'leadCompany',
        label: 'Company of leads made from a chat',
        type: 'text',
        required: false,
        secret: false,
        defaultValue: DEFAULT_LEAD_COMPANY,
      },
      {
        name: 'auth.flow',
        label: 'Sign-in',
        type: 'select',
        required: true,
        secret: false,
        defaultValue: 'refresh_token',
        options: [{ value: 'refresh_token', label: 'Refresh token (Self Client)' }],
      },
      { name: 'auth.clientId', label: 'Client ID', type: 'text', required: true, secret: false },
      { name: 'auth.clientSecret', label: 'Client secret', type: 'password', required: true, secret: true },
      {
        name: 'auth.refreshToken',
        label: 'Refresh token',
        type: 'password',
        required: true,
        secret: true,
        hint: 'From the Self Client: generate a grant code with the scopes above and exchange it once at /oauth/v2/token (the README shows how).',
      },
    ],
  },
};
