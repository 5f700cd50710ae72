import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsentRequest } from '../../kit/authorization-codes.js';
import type { SandboxOrg } from '../org.js';

/**
 * `GET /services/oauth2/authorize`: the web server flow's authorization endpoint (Salesforce Help,
 * "OAuth 2.0 Web Server Flow for Web App Integration"; PKCE: "Proof Key for Code Exchange (PKCE)
 * Extension"). An org asks the person to log in, then to allow the app; the sandbox has no login, so
 * it shows the consent page at once, signed in as the integration user. "Allow" redirects to the
 * `redirect_uri` with `code` and `state`, "Deny" with `error=access_denied`.
 *
 * Refusals follow RFC 6749 §4.1.2.1: an unknown client or a redirect_uri not registered for it is
 * shown on the page (never redirected to an unverified URI); everything else is redirected with an
 * error. Codes and descriptions as orgs answer them: `invalid_client_id` "client identifier invalid",
 * `redirect_uri_mismatch` "redirect_uri must match configuration", `unsupported_response_type`
 * "response type not supported", and `access_denied` "end-user denied authorization" (as observed
 * from orgs; the help pages name the codes, not every description).
 */
export function authorizeRoutes(org: SandboxOrg) {
  return async (app: FastifyInstance) => {
    app.get('/services/oauth2/authorize', async (request, reply) => {
      const query = stringsOf(request.query);
      const client = org.client(query.client_id);
      if (!client) return errorPage(reply, 'invalid_client_id', 'client identifier invalid');
      const redirectUri = query.redirect_uri;
      const registered = client.callbackUrls;
      if (
        !redirectUri ||
        !/^https?:\/\//.test(redirectUri) ||
        (registered !== undefined && !registered.includes(redirectUri))
      )
        return errorPage(reply, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      const state = query.state;
      const back = (params: Record<string, string>) => redirect(reply, redirectUri, params, state);
      if (query.response_type !== 'code')
        return back({ error: 'unsupported_response_type', error_description: 'response type not supported' });
      const challenge = query.code_challenge;
      // Salesforce takes S256 challenges only; a challenge is 43 base64url characters (RFC 7636 §4.2).
      if (challenge !== undefined) {
        if ((query.code_challenge_method ?? 'S256') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge))
          return back({ error: 'invalid_request', error_description: 'invalid code_challenge' });
      }
      const consent: ConsentRequest = {
        clientId: client.clientId,
        redirectUri,
        state,
        scope: query.scope ?? 'api',
        codeChallenge: challenge,
      };
      const ticket = org.authorizations.awaitConsent(consent);
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(consentPage(client.clientId, consent.scope, ticket));
    });

    /** The consent page's form: the person's answer. */
    app.post('/services/oauth2/authorize', async (request, reply) => {
      const form = stringsOf(request.body);
      const consent = form.ticket ? org.authorizations.takeConsent(form.ticket) : undefined;
      if (!consent)
        return errorPage(reply, 'invalid_request', 'this authorization request is over; start again');
      if (form.decision !== 'allow')
        return redirect(
          reply,
          consent.redirectUri,
          { error: 'access_denied', error_description: 'end-user denied authorization' },
          consent.state,
        );
      const code = org.authorizations.issue(consent, org.integrationUserId);
      return redirect(reply, consent.redirectUri, { code }, consent.state);
    });
  };
}

function redirect(
  reply: FastifyReply,
  redirectUri: string,
  params: Record<string, string>,
  state: string | undefined,
) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  if (state !== undefined) url.searchParams.set('state', state);
  return reply.redirect(url.toString(), 302);
}

function errorPage(reply: FastifyReply, error: string, description: string) {
  return reply
    .status(400)
    .type('text/html; charset=utf-8')
    .send(
      page('Error', `<p>error=${escapeHtml(error)}</p><p>error_description=${escapeHtml(description)}</p>`),
    );
}

function consentPage(clientId: string, scope: string, ticket: string): string {
  return page(
    'Allow Access?',
    `<p>The app <strong>${escapeHtml(clientId)}</strong> asks to reach this org as <strong>Sandbox Integration</strong>, with the scopes <code>${escapeHtml(scope)}</code>.</p>
<form method="post" action="/services/oauth2/authorize">
  <input type="hidden" name="ticket" value="${escapeHtml(ticket)}">
  <button type="submit" name="decision" value="deny">Deny</button>
  <button type="submit" name="decision" value="allow">Allow</button>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} | Salesforce sandbox</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function stringsOf(value: unknown): Record<string, string | undefined> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]),
  );
}
