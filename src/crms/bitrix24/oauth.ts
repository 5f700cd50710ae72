import { z } from 'zod';
import { BITRIX24, checkVendorUrl } from '../../net/vendor-urls.js';
import { connectionNameField } from '../kit/form-fields.js';
import type { OAuthProvider } from '../oauth/provider.js';
import { BITRIX24_OAUTH_SERVER, Bitrix24ConnectionInput } from './connection.js';

/** What an admin gives to sign in at Bitrix24: the connection's name, the portal, and its OAuth server. */
export const Bitrix24OAuthStart = z
  .strictObject({
    name: Bitrix24ConnectionInput.shape.name,
    portalUrl: z.url({ protocol: /^https?$/ }).describe('The portal: https://yourcompany.bitrix24.com'),
    oauthServer: z
      .url({ protocol: /^https?$/ })
      .default(BITRIX24_OAUTH_SERVER)
      .describe("Where codes and tokens are redeemed: Bitrix24's https://oauth.bitrix.info, or a sandbox."),
  })
  .meta({ id: 'Bitrix24OAuthStart' });

export type Bitrix24OAuthStart = z.infer<typeof Bitrix24OAuthStart>;

/** The scopes the destination's methods need: CRM records and timeline, Disk for large files, users for the card. */
export const BITRIX24_SCOPES = ['crm', 'disk', 'user'] as const;

const trimmed = (url: string) => url.replace(/\/+$/, '');

/**
 * A local application's OAuth 2.0 (b24restdocs `settings/oauth/index.md`): the portal's
 * `/oauth/authorize/` sends the browser back with `code` (valid 30 s), `domain` and `member_id`; the
 * code is redeemed at the OAuth server's `/oauth/token/` with the client secret. The scopes are the
 * application's own (set where it is registered on the portal); the request names them anyway. The
 * answer carries no `token_type` (the page's example), and `client_endpoint`, the portal's REST
 * address, which must be the portal signed in at.
 */
export const bitrix24OAuth: OAuthProvider<Bitrix24OAuthStart> = {
  kind: 'bitrix24',
  label: 'Bitrix24',
  startInput: Bitrix24OAuthStart,
  checkStart: (start, allow) => {
    checkVendorUrl(new URL(start.portalUrl).origin, BITRIX24, allow, 'portalUrl');
    checkVendorUrl(trimmed(start.oauthServer), BITRIX24, allow, 'oauthServer');
  },
  endpoints: (start) => ({
    issuer: new URL(start.portalUrl).origin,
    authorizationEndpoint: `${new URL(start.portalUrl).origin}/oauth/authorize/`,
    tokenEndpoint: `${trimmed(start.oauthServer)}/oauth/token/`,
  }),
  scopes: BITRIX24_SCOPES,
  scopeDelimiter: ',',
  noRefreshToken: 'check that the local application is installed on the portal, and connect again.',
  normalizeTokenAnswer: (body) => ({ token_type: 'bearer', ...body }),
  form: {
    appIntro:
      'Once per workspace: a local application on the portal (Developer resources → Other → Local application, server type) with the permissions `crm`, `disk` and `user`, and this handler and installation path:',
    clientIdLabel: 'Application ID (client_id)',
    clientSecretLabel: 'Application key (client_secret)',
    start: {
      fields: [
        connectionNameField('Bitrix24'),
        {
          name: 'portalUrl',
          label: 'Portal',
          type: 'url',
          required: true,
          secret: false,
          placeholder: 'https://yourcompany.bitrix24.com',
        },
        {
          name: 'oauthServer',
          label: 'OAuth server',
          type: 'url',
          required: false,
          secret: false,
          placeholder: BITRIX24_OAUTH_SERVER,
          hint: "Leave empty for Bitrix24's own; set it only for a sandbox.",
        },
      ],
    },
  },
  connection: ({ start, clientId, clientSecret, refreshToken, token, allow }) => {
    const portal = new URL(start.portalUrl).origin;
    const endpoint = typeof token.client_endpoint === 'string' ? token.client_endpoint : undefined;
    // The calls go to client_endpoint: it must be a Bitrix24 host (or an allow-listed one).
    if (endpoint !== undefined)
      checkVendorUrl(endpoint.replace(/\/rest\/?$/, ''), BITRIX24, allow, 'client_endpoint');
    const memberId = typeof token.member_id === 'string' ? token.member_id : undefined;
    return {
      input: {
        kind: 'bitrix24',
        name: start.name,
        auth: {
          flow: 'oauth',
          portalUrl: portal,
          oauthServer: trimmed(start.oauthServer),
          clientId,
          clientSecret,
          refreshToken,
        },
      },
      learned: { ...(memberId ? { memberId } : {}), via: 'oauth' },
    };
  },
};
