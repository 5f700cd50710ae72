import { checkVendorUrl, SALESFORCE } from '../../net/vendor-urls.js';
import type { OAuthProvider } from '../oauth/provider.js';
import type { CrmKindDefinition } from '../registry.js';
import type { SalesforceToken } from './auth.js';
import {
  refreshTokenOf,
  SalesforceConnectionInput,
  salesforceDestination,
  salesforceSignIn,
  salesforceTransport,
  splitSalesforceInput,
  withRefreshToken,
} from './connection.js';
import { LOGIN_URL_FIELD, NAME_FIELD } from './form-fields.js';
import { salesforceOAuth } from './oauth.js';
import { DEFAULT_RECORD_DEFAULTS } from './record-defaults.js';
import { setUpSalesforce } from './setup/index.js';
import { salesforceLimiter } from './sign-in.js';

const SECRET_FLOWS = ['client_credentials', 'refresh_token'];

/** Salesforce in the CRM registry. */
export const salesforceKind: CrmKindDefinition = {
  kind: 'salesforce',
  displayName: 'Salesforce',
  input: SalesforceConnectionInput,
  secretFields: ['auth.clientSecret', 'auth.refreshToken', 'auth.privateKeyPem'],
  split: (input) => splitSalesforceInput(SalesforceConnectionInput.parse(input)),
  checkInput: (input, guarded) => {
    checkVendorUrl(SalesforceConnectionInput.parse(input).loginUrl, SALESFORCE, guarded.allow, 'loginUrl');
  },
  regionSettings: ['loginUrl'],
  describeSettings: (settings) =>
    [settings.loginUrl, typeof settings.flow === 'string' ? settings.flow.replaceAll('_', ' ') : undefined]
      .filter((part) => typeof part === 'string')
      .join(' · '),
  open: (connection) => {
    // The token holder of the connection: one sign-in for setup, the connection test and every run.
    const refreshTokens = {
      read: async () => refreshTokenOf(await connection.readSecrets()),
      write: async (refreshToken: string) =>
        connection.writeSecrets(withRefreshToken(await connection.readSecrets(), refreshToken)),
    };
    const signIn = salesforceSignIn(
      connection.settings,
      connection.secrets,
      refreshTokens,
      connection.guarded,
      connection.tokenStore<SalesforceToken>(refreshTokens),
      { limiter: connection.limited(salesforceLimiter()) },
    );
    return {
      destination: () => salesforceDestination(connection.settings, signIn),
      setUp: () => setUpSalesforce(salesforceTransport(connection.settings, signIn)),
    };
  },
  setup: {
    label: 'Set up the WhatsApp Chat object',
    description:
      'Create the WhatsApp Chat custom object and its fields (Metadata API), grant the connection\'s user access to them through the "WhatsApp Backup" permission set, and add the WhatsApp Chats related list to the Contact and Lead page layouts. The README lists the permissions it needs. Safe to run again.',
    done: 'The org is ready for wasync.',
  },
  oauth: salesforceOAuth as OAuthProvider,
  sandbox: 'salesforce',
  capabilities: { leads: true, deals: true },
  form: {
    intro:
      'A Connected App (or External Client App) with the OAuth scopes `api` and `refresh_token`; the user it runs as needs to create contacts, leads, notes and files.',
    fields: [
      NAME_FIELD,
      {
        ...LOGIN_URL_FIELD,
        hint: 'Your My Domain URL, https://login.salesforce.com, or https://test.salesforce.com for a sandbox org.',
        hintWhen: [
          {
            field: 'auth.flow',
            value: 'client_credentials',
            hint: 'Your My Domain URL: the client credentials flow does not work on login.salesforce.com or test.salesforce.com.',
          },
        ],
      },
      {
        name: 'apiVersion',
        label: 'API version',
        type: 'text',
        required: false,
        secret: false,
        defaultValue: '62.0',
        pattern: '\\d{2}\\.\\d',
      },
      {
        name: 'leadSource',
        label: 'Lead Source of records made from a chat',
        type: 'text',
        required: false,
        secret: false,
        defaultValue: DEFAULT_RECORD_DEFAULTS.leadSource,
        emptyAsNull: true,
        hint: "Left out where your org's Lead Source picklist has no such value. Empty for none.",
      },
      {
        name: 'leadCompany',
        label: 'Company of leads made from a chat',
        type: 'text',
        required: false,
        secret: false,
        defaultValue: DEFAULT_RECORD_DEFAULTS.leadCompany,
        hint: 'Salesforce requires a company on every lead; used when none is given.',
      },
      {
        name: 'auth.flow',
        label: 'Sign-in',
        type: 'select',
        required: true,
        secret: false,
        defaultValue: 'client_credentials',
        options: [
          { value: 'client_credentials', label: 'Client credentials' },
          { value: 'refresh_token', label: 'Refresh token' },
          { value: 'jwt_bearer', label: 'JWT bearer' },
        ],
      },
      {
        name: 'auth.clientId',
        label: 'Consumer key (client id)',
        type: 'text',
        required: true,
        secret: false,
      },
      {
        name: 'auth.clientSecret',
        label: 'Consumer secret',
        type: 'password',
        required: true,
        secret: true,
        when: { field: 'auth.flow', values: SECRET_FLOWS },
      },
      {
        name: 'auth.refreshToken',
        label: 'Refresh token',
        type: 'password',
        required: true,
        secret: true,
        when: { field: 'auth.flow', values: ['refresh_token'] },
      },
      {
        name: 'auth.username',
        label: 'Username',
        type: 'text',
        required: true,
        secret: false,
        when: { field: 'auth.flow', values: ['jwt_bearer'] },
      },
      {
        name: 'auth.audience',
        label: 'Audience (aud)',
        type: 'url',
        required: false,
        secret: false,
        hint: 'Leave empty for https://login.salesforce.com (https://test.salesforce.com for a sandbox org); your My Domain URL if your app requires it.',
        when: { field: 'auth.flow', values: ['jwt_bearer'] },
      },
      {
        name: 'auth.privateKeyPem',
        label: 'Private key (PEM)',
        type: 'textarea',
        required: true,
        secret: true,
        placeholder: '-----BEGIN PRIVATE KEY-----',
        when: { field: 'auth.flow', values: ['jwt_bearer'] },
      },
    ],
  },
};
