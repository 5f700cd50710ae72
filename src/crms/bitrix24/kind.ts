import { BITRIX24, checkVendorUrl } from '../../net/vendor-urls.js';
import { connectionNameField } from '../kit/form-fields.js';
import type { OAuthProvider } from '../oauth/provider.js';
import type { CrmKindDefinition } from '../registry.js';
import type { Bitrix24Token } from './auth.js';
import {
  BITRIX24_OAUTH_SERVER,
  Bitrix24ConnectionInput,
  bitrix24Access,
  bitrix24Destination,
  DEFAULT_LEAD_TITLE,
  describeBitrix24Settings,
  parseBitrix24Settings,
  refreshTokenOf,
  splitBitrix24Input,
  withRefreshToken,
} from './connection.js';
import { BITRIX24_PLANS, bitrix24Budget, bucketKey } from './limits.js';
import { bitrix24OAuth } from './oauth.js';
import { OperatingTimes } from './operating-time.js';
import { parseWebhookUrl } from './sign-in.js';

/** Bitrix24 in the CRM registry. */
export const bitrix24Kind: CrmKindDefinition = {
  kind: 'bitrix24',
  displayName: 'Bitrix24',
  input: Bitrix24ConnectionInput,
  secretFields: ['auth.webhookUrl', 'auth.clientSecret', 'auth.refreshToken'],
  split: (input) => splitBitrix24Input(Bitrix24ConnectionInput.parse(input)),
  checkInput: (input, guarded) => {
    const { auth } = Bitrix24ConnectionInput.parse(input);
    if (auth.flow === 'webhook')
      checkVendorUrl(parseWebhookUrl(auth.webhookUrl).portalUrl, BITRIX24, guarded.allow, 'auth.webhookUrl');
    else {
      checkVendorUrl(new URL(auth.portalUrl).origin, BITRIX24, guarded.allow, 'auth.portalUrl');
      checkVendorUrl(auth.oauthServer.replace(/\/+$/, ''), BITRIX24, guarded.allow, 'auth.oauthServer');
    }
  },
  regionSettings: ['portalUrl', 'oauthServer'],
  describeSettings: describeBitrix24Settings,
  open: (connection) => {
    const settings = parseBitrix24Settings(connection.settings);
    // The portal's bucket, in the store: every process and every connection to the portal fill it.
    const limiter = connection.rateBucket(bucketKey(settings.portalUrl), bitrix24Budget(settings.plan));
    const refreshTokens = {
      read: async () => refreshTokenOf(await connection.readSecrets()),
      write: async (refreshToken: string) =>
        connection.writeSecrets(withRefreshToken(await connection.readSecrets(), refreshToken)),
    };
    // One access per connection: the connection test and every run share its session.
    const session = {
      access: bitrix24Access(connection.settings, connection.secrets, limiter, {
        guarded: connection.guarded,
        store: connection.tokenStore<Bitrix24Token>(refreshTokens),
      }),
      operating: new OperatingTimes(),
    };
    return { destination: () => bitrix24Destination(connection.settings, session) };
  },
  oauth: bitrix24OAuth as OAuthProvider,
  sandbox: 'bitrix24',
  capabilities: { leads: true, deals: true },
  form: {
    intro:
      'An inbound webhook (Developer resources → Other → Inbound webhook) with the permissions `crm`, `disk` and `user`; or sign in with a local application (the OAuth button).',
    fields: [
      connectionNameField('Bitrix24'),
      {
        name: 'auth.flow',
        label: 'Sign-in',
        type: 'select',
        required: true,
        secret: false,
        defaultValue: 'webhook',
        options: [
          { value: 'webhook', label: 'Inbound webhook' },
          { value: 'oauth', label: 'Local application (refresh token)' },
        ],
      },
      {
        name: 'auth.webhookUrl',
        label: 'Webhook URL',
        type: 'password',
        required: true,
        secret: true,
        placeholder: 'https://yourcompany.bitrix24.com/rest/1/abcdef0123456789/',
        hint: 'The "Webhook to call REST API" the portal shows: it holds a secret, so it is sealed and never shown again.',
        when: { field: 'auth.flow', values: ['webhook'] },
      },
      {
        name: 'auth.portalUrl',
        label: 'Portal',
        type: 'url',
        required: true,
        secret: false,
        placeholder: 'https://yourcompany.bitrix24.com',
        when: { field: 'auth.flow', values: ['oauth'] },
      },
      {
        name: 'auth.oauthServer',
        label: 'OAuth server',
        type: 'url',
        required: false,
        secret: false,
        placeholder: BITRIX24_OAUTH_SERVER,
        hint: "Leave empty for Bitrix24's own; set it only for a sandbox.",
        when: { field: 'auth.flow', values: ['oauth'] },
      },
      {
        name: 'auth.clientId',
        label: 'Application ID (client_id)',
        type: 'text',
        required: true,
        secret: false,
        when: { field: 'auth.flow', values: ['oauth'] },
      },
      {
        name: 'auth.clientSecret',
        label: 'Application key (client_secret)',
        type: 'password',
        required: true,
        secret: true,
        when: { field: 'auth.flow', values: ['oauth'] },
      },
      {
        name: 'auth.refreshToken',
        label: 'Refresh token',
        type: 'password',
        required: true,
        secret: true,
        when: { field: 'auth.flow', values: ['oauth'] },
      },
      {
        name: 'plan',
        label: 'Plan',
        type: 'select',
        required: true,
        secret: false,
        defaultValue: 'standard',
        options: Object.entries(BITRIX24_PLANS).map(([value, plan]) => ({ value, label: plan.label })),
        hint: 'Sets how fast wasync may call the portal (Enterprise portals take more).',
      },
      {
        name: 'leadTitle',
        label: 'Title of leads made from a chat',
        type: 'text',
        required: false,
        secret: false,
        defaultValue: DEFAULT_LEAD_TITLE,
      },
    ],
  },
};
