import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PORTAL_ADMIN_ID, type PortalCredentials } from './credentials.js';
import type { Bitrix24Application, ResolvedBitrix24Options } from './options.js';

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The sandbox's own address, as the client reached it: the portal and the OAuth server are one host. */
export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}

/**
 * A local application's OAuth 2.0 (settings/oauth/index.md): the portal's `/oauth/authorize/` page
 * (a consent page here: the sandbox has no login) redirecting to the application's registered
 * address with `code`, `state`, `domain`, `member_id`, `scope`, `server_domain`; and the OAuth
 * server's `/oauth/token/` (oauth.bitrix.info in the cloud, the same host here), which takes its
 * parameters in the query (the doc's GET form) or a form body.
 */
export function oauthRoutes(credentials: PortalCredentials, options: ResolvedBitrix24Options) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: Record<string, string | undefined> }>(
      '/oauth/authorize/',
      async (request, reply) => {
        const application = credentials.application(request.query.client_id);
        // settings/oauth/index.md: an application not installed on the portal gets an error message.
        if (!application)
          return reply
            .status(400)
            .type('text/html; charset=utf-8')
            .send(page('Error', '<p>The application is not installed on this portal.</p>'));
        const ticket = credentials.codes.awaitConsent({
          clientId: application.clientId,
          redirectUri: application.redirectUri,
          state: request.query.state,
          scope: application.scopes.join(','),
          codeChallenge: undefined,
        });
        return reply.type('text/html; charset=utf-8').send(consentPage(application, ticket));
      },
    );

    app.post<{ Body: Record<string, string | undefined> }>('/oauth/authorize/', async (request, reply) => {
      const form = request.body ?? {};
      const consent = form.ticket ? credentials.codes.takeConsent(form.ticket) : undefined;
      if (!consent)
        return reply
          .status(400)
          .type('text/html; charset=utf-8')
          .send(page('Error', '<p>This consent has expired; start again from the application.</p>'));
      const target = new URL(consent.redirectUri);
      if (form.decision !== 'accept') {
        // Unverified: what the portal sends back on a refusal; RFC 6749 §4.1.2.1's access_denied.
        target.searchParams.set('error', 'access_denied');
        if (consent.state !== undefined) target.searchParams.set('state', consent.state);
        return reply.redirect(target.toString(), 302);
      }
      const code = credentials.codes.issue(consent, String(PORTAL_ADMIN_ID));
      const host = new URL(baseUrl(request)).host;
      target.searchParams.set('code', code);
      if (consent.state !== undefined) target.searchParams.set('state', consent.state);
      target.searchParams.set('domain', options.domain ?? host);
      target.searchParams.set('member_id', options.memberId);
      target.searchParams.set('scope', consent.scope);
      target.searchParams.set('server_domain', host);
      return reply.redirect(target.toString(), 302);
    });

    const token = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = {
        ...(request.query as Record<string, string | undefined>),
        ...((typeof request.body === 'object' && request.body) || {}),
      } as Record<string, string | undefined>;
      const answer = tokenGrant(credentials, options, params, baseUrl(request));
      return reply.status(answer.status).send(answer.body);
    };
    app.get('/oauth/token/', token);
    app.post('/oauth/token/', token);
  };
}

type TokenAnswer = { status: number; body: Record<string, unknown> };

/**
 * The token endpoint's grants. Errors are settings/oauth/error-codes.md's: `invalid_request` (no or
 * an unknown grant type, a missing parameter), `invalid_client` (unknown application or wrong
 * secret), `invalid_grant` (a code or refresh token that is unknown, spent or expired). Their HTTP
 * status is RFC 6749 §5.2's 400 (unverified: the docs show only the bodies).
 */
function tokenGrant(
  credentials: PortalCredentials,
  options: ResolvedBitrix24Options,
  params: Record<string, string | undefined>,
  base: string,
): TokenAnswer {
  const refuse = (error: string, description: string): TokenAnswer => ({
    status: 400,
    body: { error, error_description: description },
  });
  const grantType = params.grant_type;
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token')
    return refuse('invalid_request', 'grant_type must be authorization_code or refresh_token');
  const application = credentials.application(params.client_id);
  if (!application || application.clientSecret !== params.client_secret)
    return refuse('invalid_client', 'Invalid client data');
  let userId: number;
  let refreshToken: string;
  if (grantType === 'authorization_code') {
    if (!params.code) return refuse('invalid_request', 'code is required');
    const redeemed = credentials.codes.redeem({
      code: params.code,
      clientId: application.clientId,
      redirectUri: application.redirectUri,
      codeVerifier: undefined,
    });
    if (!redeemed.ok) return refuse('invalid_grant', 'Invalid authorization code');
    userId = Number(redeemed.userId);
    refreshToken = credentials.tokens.mintRefreshToken(application.clientId, redeemed.userId);
  } else {
    if (!params.refresh_token) return refuse('invalid_request', 'refresh_token is required');
    // A new refresh token each time (auto-renewal.md); the old one dies (unverified, stricter).
    const redeemed = credentials.tokens.redeemRefreshToken(application.clientId, params.refresh_token, true);
    if (!redeemed?.rotatedRefreshToken) return refuse('invalid_grant', 'Invalid refresh token');
    userId = Number(redeemed.userId);
    refreshToken = redeemed.rotatedRefreshToken;
  }
  return { status: 200, body: tokenBody(credentials, options, application, userId, refreshToken, base) };
}

/**
 * The token answer's shape (settings/oauth/index.md; `expires` and `user_id` with a refresh, the
 * crm-apis notes §3.1): `client_endpoint` is the portal's REST address, `server_endpoint` the OAuth
 * server's, `status` `L` for a local application (unverified letter).
 */
export function tokenBody(
  credentials: PortalCredentials,
  options: ResolvedBitrix24Options,
  application: Bitrix24Application,
  userId: number,
  refreshToken: string,
  base: string,
): Record<string, unknown> {
  const accessToken = credentials.issueAccessToken(application.clientId, userId);
  return {
    access_token: accessToken,
    expires: Math.floor((options.clock() + options.accessTokenTtlMs) / 1000),
    expires_in: Math.floor(options.accessTokenTtlMs / 1000),
    scope: application.scopes.join(','),
    domain: new URL(base).host,
    server_endpoint: `${base}/oauth/rest/`,
    status: 'L',
    client_endpoint: `${base}/rest/`,
    member_id: options.memberId,
    user_id: userId,
    refresh_token: refreshToken,
  };
}

function consentPage(application: Bitrix24Application, ticket: string): string {
  return page(
    'Allow access',
    `<p>The application <strong>${escapeHtml(application.clientId)}</strong> asks to work with this portal as its administrator, with the scopes <code>${escapeHtml(application.scopes.join(','))}</code>.</p>
<form method="post" action="/oauth/authorize/">
  <input type="hidden" name="ticket" value="${escapeHtml(ticket)}">
  <button type="submit" name="decision" value="accept">Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bitrix24 sandbox: ${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
