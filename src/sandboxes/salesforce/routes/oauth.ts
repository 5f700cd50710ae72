import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkJwtAssertion } from '../auth/jwt-bearer.js';
import { CODE_REFUSALS, tokenSignature } from '../auth/tokens.js';
import type { SandboxOrg } from '../org.js';
import { addLatency } from './api-guard.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

type OAuthError = 'invalid_grant' | 'invalid_client' | 'invalid_client_id' | 'unsupported_grant_type';

/** The URL this server is reached at, from the Host header, so `instance_url` works behind any port. */
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.host}`;
}

/**
 * `POST /services/oauth2/token`: client credentials, refresh token, JWT bearer and the web server
 * flow's authorization code (with its PKCE verifier; see AuthorizationCodes.redeem), answering with
 * the org's token shape (no `expires_in`, as Salesforce sends none) or its OAuth error body.
 */
export function oauthRoutes(org: SandboxOrg) {
  return async (app: FastifyInstance) => {
    app.post('/services/oauth2/token', async (request, reply) => {
      await addLatency(org);
      const form = formOf(request.body);
      // Salesforce answers every token-endpoint refusal with 400, invalid_client included.
      const fail = (error: OAuthError, description: string) =>
        reply.status(400).send({ error, error_description: description });
      const grantType = form.grant_type;
      // "The client credentials flow doesn't support calls to login.salesforce.com or
      // test.salesforce.com" (Salesforce Help, KB 000886201; "OAuth 2.0 Client Credentials Flow for
      // Server-to-Server Integration" uses the My Domain token endpoint). The error body is what
      // orgs answer there (observed; the help pages do not quote it).
      if (
        grantType === 'client_credentials' &&
        org.options.genericLoginHosts.includes(request.hostname.toLowerCase())
      ) {
        return fail('invalid_grant', 'request not supported on this domain');
      }
      if (grantType === 'client_credentials' || grantType === 'refresh_token') {
        const client = org.client(form.client_id);
        if (!client || client.clientSecret !== form.client_secret)
          return fail('invalid_client', 'invalid client credentials');
        if (grantType === 'client_credentials')
          return sendToken(org, request, reply, { clientId: client.clientId, userId: org.integrationUserId });
        // Rotation as the connected app is set (Salesforce Help, "OAuth 2.0 Refresh Token Flow for
        // Renewed Sessions": with rotation "the connected app issues a new refresh token along with
        // the access token each time the flow is invoked. The previous refresh token is automatically
        // invalidated"; the doc's response example without rotation carries no refresh_token).
        const redeemed = form.refresh_token
          ? org.tokens.redeemRefreshToken(
              client.clientId,
              form.refresh_token,
              org.options.rotateRefreshTokens,
            )
          : undefined;
        if (!redeemed) return fail('invalid_grant', 'expired access/refresh token');
        return sendToken(org, request, reply, {
          clientId: client.clientId,
          userId: redeemed.userId,
          ...(redeemed.rotatedRefreshToken ? { refreshToken: redeemed.rotatedRefreshToken } : {}),
        });
      }
      if (grantType === 'authorization_code') {
        // Salesforce Help, "OAuth 2.0 Web Server Flow for Web App Integration": the token request
        // carries code, client_id, client_secret (a confidential app), redirect_uri and, with PKCE,
        // code_verifier; the answer adds the refresh token when the app has the refresh_token scope.
        const client = org.client(form.client_id);
        if (!client || client.clientSecret !== form.client_secret)
          return fail('invalid_client', 'invalid client credentials');
        const redeemed = org.authorizations.redeem({
          code: form.code,
          clientId: client.clientId,
          redirectUri: form.redirect_uri,
          codeVerifier: form.code_verifier,
        });
        if (!redeemed.ok) return fail('invalid_grant', CODE_REFUSALS[redeemed.reason]);
        const scopes = redeemed.scope.split(/\s+/);
        const offline = scopes.includes('refresh_token') || scopes.includes('offline_access');
        return sendToken(org, request, reply, {
          clientId: client.clientId,
          userId: redeemed.userId,
          scope: redeemed.scope,
          ...(offline ? { refreshToken: org.tokens.mintRefreshToken(client.clientId, redeemed.userId) } : {}),
        });
      }
      if (grantType === JWT_BEARER) {
        const check = checkJwtAssertion(form.assertion ?? '', {
          clients: org.options.clients,
          audiences: org.options.jwtAudiences.map((aud) => (aud === 'my-domain' ? baseUrlOf(request) : aud)),
          nowMs: org.options.clock(),
        });
        if (!check.ok) return fail(check.error, check.description);
        // The assertion's user must be one of the org's, and active. Orgs answer an unknown username
        // like one that never approved the app; "inactive user" for a deactivated one (both as
        // observed from orgs; the help page does not list them).
        const user = org.userNamed(check.subject);
        if (!user) return fail('invalid_grant', "user hasn't approved this consumer");
        if (!user.active) return fail('invalid_grant', 'inactive user');
        return sendToken(org, request, reply, { clientId: check.clientId, userId: user.id });
      }
      return fail('unsupported_grant_type', 'grant type not supported');
    });
  };
}

function formOf(body: unknown): Record<string, string | undefined> {
  if (body === null || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
}

function sendToken(
  org: SandboxOrg,
  request: FastifyRequest,
  reply: FastifyReply,
  grant: { clientId: string; userId: string; refreshToken?: string; scope?: string },
) {
  const base = baseUrlOf(request);
  const issued = org.tokens.issue(grant.clientId, grant.userId);
  const id = `${base}/id/${org.orgId}/${grant.userId}`;
  const secret = org.client(grant.clientId)?.clientSecret ?? '';
  return reply.send({
    access_token: issued.accessToken,
    ...(grant.refreshToken ? { refresh_token: grant.refreshToken } : {}),
    signature: tokenSignature(secret, id, issued.issuedAt),
    scope: grant.scope ?? 'api',
    instance_url: base,
    id,
    token_type: 'Bearer',
    issued_at: issued.issuedAt,
  });
}
