import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { type OAuthOutcome, OAuthService } from '../../crms/oauth/flow.js';
import type { Services } from '../../services.js';
import { requireAdmin } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';
import { secretLinkOrigin } from '../link-origin.js';
import { auditCreated } from './connections.js';

const OAuthAppSchema = z
  .object({
    kind: z.string(),
    configured: z.boolean(),
    clientId: z.string().optional(),
    updatedAt: z.string().optional(),
    redirectUri: z
      .string()
      .nullable()
      .describe(
        "The callback URL to register in the CRM's app; null until WASYNC_PUBLIC_URL is set (or the request came over loopback).",
      ),
  })
  .meta({ id: 'OAuthApp' });

const OAuthAppInput = z
  .strictObject({
    clientId: z
      .string()
      .trim()
      .min(1)
      .max(512)
      .describe("The app's client id (Salesforce: the consumer key)."),
    clientSecret: z
      .string()
      .min(1)
      .max(1024)
      .describe(
        "The app's client secret (Salesforce: the consumer secret); stored encrypted, never answered.",
      ),
  })
  .meta({ id: 'OAuthAppCredentials' });

/** Where the workspace shows how a sign-in ended. */
const SETUP_PAGE = '/setup';

/**
 * Signing in at a CRM from the workspace: the app an admin registers once per CRM kind, the start
 * of an authorization-code sign-in (answering the CRM's authorize URL) and the callback the CRM
 * sends the browser back to, which stores the new connection and sends the browser on to Setup.
 */
export function oauthRoutes(services: Services): FastifyPluginAsyncZod {
  const { oauth, config, audit } = services;
  const [first, ...rest] = oauth.kinds();
  if (!first) throw new Error('no CRM signs in with OAuth');
  const Params = z.object({ kind: z.enum([first, ...rest]) });
  const redirectUriFor = (request: Parameters<typeof secretLinkOrigin>[1], kind: string) => {
    try {
      return OAuthService.redirectUri(secretLinkOrigin(config.publicUrl, request), kind);
    } catch {
      return null;
    }
  };
  return async (app) => {
    app.get(
      '/oauth/:kind/app',
      {
        schema: {
          tags: ['oauth'],
          summary: 'The CRM app wasync signs in with, and the callback URL to register in it',
          params: Params,
          response: { 200: OAuthAppSchema, 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const view = await oauth.app(workspaceId, request.params.kind);
        return {
          kind: view.kind,
          configured: view.configured,
          ...(view.clientId ? { clientId: view.clientId } : {}),
          ...(view.updatedAt ? { updatedAt: view.updatedAt.toISOString() } : {}),
          redirectUri: redirectUriFor(request, request.params.kind),
        };
      },
    );

    app.put(
      '/oauth/:kind/app',
      {
        schema: {
          tags: ['oauth'],
          summary:
            'Set the CRM app (client id and secret) admins sign in with; the secret is stored encrypted',
          params: Params,
          body: OAuthAppInput,
          response: { 200: OAuthAppSchema, 400: ErrorEnvelopeSchema, 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const { kind } = request.params;
        await oauth.setApp(workspaceId, kind, request.body);
        await audit.record(request, 'workspace.settings_changed', undefined, {
          oauthApp: kind,
          clientId: request.body.clientId,
        });
        const view = await oauth.app(workspaceId, kind);
        return {
          kind,
          configured: true,
          clientId: request.body.clientId,
          ...(view.updatedAt ? { updatedAt: view.updatedAt.toISOString() } : {}),
          redirectUri: redirectUriFor(request, kind),
        };
      },
    );

    app.delete(
      '/oauth/:kind/app',
      {
        schema: {
          tags: ['oauth'],
          summary: 'Remove the CRM app; connections made with it keep working',
          params: Params,
          response: { 204: z.null(), 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        await oauth.deleteApp(workspaceId, request.params.kind);
        await audit.record(request, 'workspace.settings_changed', undefined, {
          oauthApp: request.params.kind,
          removed: true,
        });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/oauth/:kind/start',
      {
        schema: {
          tags: ['oauth'],
          summary: 'Start signing in at the CRM: answers the authorize URL to send the browser to',
          description:
            "Needs an admin's browser session (the CRM sends that browser back to the callback, which checks it). The sign-in must come back within 10 minutes, once.",
          params: Params,
          // Each kind's provider gives its own body (OAuthProvider.startInput): the document shows
          // them all, and OAuthService.start checks the body against the kind's own.
          body: oauth.startSchema(),
          response: {
            200: z.object({
              authorizeUrl: z.string(),
              redirectUri: z.string(),
              expiresAt: z.string(),
            }),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const grant = requireAdmin(request);
        if (grant.via !== 'session')
          throw new WasyncError(
            'oauth_session_required',
            'Start signing in at the CRM from the workspace in a browser: the CRM sends that browser back, with its session.',
          );
        const origin = secretLinkOrigin(config.publicUrl, request);
        const started = await oauth.start(grant, request.params.kind, request.body, origin);
        return { ...started, expiresAt: started.expiresAt.toISOString() };
      },
    );

    app.get(
      '/oauth/:kind/callback',
      {
        schema: {
          tags: ['oauth'],
          summary: 'Where the CRM sends the browser back after the sign-in (not for API clients)',
          description:
            "Reached by the browser with the admin's session cookie; the `state` is the CSRF protection. Redirects to the workspace's Setup page with `oauth=connected&kind=<kind>&connection=<id>&name=<name>`, or `oauth=failed&code=<code>&message=<text>` (docs/errors.md, OAuth sign-in outcomes).",
          params: Params,
          querystring: z.looseObject({
            code: z.string().optional(),
            state: z.string().optional(),
            error: z.string().optional(),
            error_description: z.string().optional(),
          }),
          response: { 302: z.null().describe('To the Setup page, with the outcome.') },
        },
      },
      async (request, reply) => {
        const grant = request.grant;
        const session =
          grant?.via === 'session'
            ? {
                sessionId: grant.sessionId,
                userId: grant.userId,
                workspaceId: grant.workspaceId,
                isAdmin: grant.role === 'admin',
              }
            : undefined;
        // Every string parameter: the CRM may add its own (Zoho: `location`, `accounts-server`),
        // which its provider reads; the flow itself reads only RFC 6749's.
        const query: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(request.query))
          if (typeof value === 'string') query[name] = value;
        const outcome = await oauth.callback(session, request.params.kind, query);
        if (outcome.ok) {
          await auditCreated(audit, request, outcome.connection, { via: 'oauth' });
        } else {
          request.log.info({ kind: request.params.kind, outcome: outcome.code }, 'OAuth sign-in failed');
        }
        // The callback URL carried a code: neither cached nor passed on as a Referer.
        reply.header('cache-control', 'no-store');
        reply.header('referrer-policy', 'no-referrer');
        return reply.redirect(setupUrl(outcome), 302);
      },
    );
  };
}

function setupUrl(outcome: OAuthOutcome): string {
  const query = new URLSearchParams(
    outcome.ok
      ? {
          oauth: 'connected',
          kind: outcome.connection.kind,
          connection: outcome.connection.id,
          name: outcome.connection.name,
        }
      : { oauth: 'failed', code: outcome.code, message: outcome.message },
  );
  return `${SETUP_PAGE}?${query.toString()}`;
}
