import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';
import type { ApiTokenInfo } from '../../store/repositories/tokens.js';
import { type Grant, grantOf, requireAdmin } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z
      .enum(['admin', 'member'])
      .describe("The role it was made with; it acts with the lesser of this and its owner's role."),
    owner: z
      .object({ id: z.string(), name: z.string(), email: z.string() })
      .optional()
      .describe('The person it belongs to; absent only before the first admin signs up.'),
    prefix: z.string().describe('The first characters of the token, to recognise it.'),
    createdAt: z.string(),
    lastUsedAt: z.string().optional(),
    revokedAt: z.string().optional(),
  })
  .meta({ id: 'ApiToken' });

function tokenDto(info: ApiTokenInfo): z.infer<typeof TokenSchema> {
  return {
    id: info.id,
    name: info.name,
    role: info.role,
    ...(info.owner ? { owner: info.owner } : {}),
    prefix: info.prefix,
    createdAt: info.createdAt.toISOString(),
    ...(info.lastUsedAt ? { lastUsedAt: info.lastUsedAt.toISOString() } : {}),
    ...(info.revokedAt ? { revokedAt: info.revokedAt.toISOString() } : {}),
  };
}

/** The name a person's own token gets when they give none: what it is mostly made for. */
export const EXTENSION_TOKEN_NAME = 'Browser extension';

/**
 * The routes about one's own tokens take a workspace session only: a token (the browser extension's)
 * must not be able to make more tokens, nor list or revoke its siblings.
 */
function sessionOnly(request: FastifyRequest): Extract<Grant, { via: 'session' }> {
  const grant = grantOf(request);
  if (grant.via !== 'session') {
    throw new WasyncError(
      'session_required',
      'Your own tokens are made, listed and revoked from a signed-in browser, not with an API token.',
    );
  }
  return grant;
}

/**
 * API tokens. `/tokens`: every token of the workspace, admin only. `/session/tokens`: the signed-in
 * person's own tokens, any role, always member tokens (the browser extension's). A new token's secret
 * is in the creation response and nowhere else, ever.
 */
export function tokenRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, audit } = services;
  return async (app) => {
    app.get(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'List API tokens (never their secrets)',
          response: { 200: z.object({ data: z.array(TokenSchema) }), 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        return { data: (await store.tokens.list(workspaceId)).map(tokenDto) };
      },
    );

    app.post(
      '/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Create an API token',
          body: z.strictObject({
            name: z.string().min(1).max(128),
            role: z.enum(['admin', 'member']).default('member'),
          }),
          response: { 201: TokenSchema.extend({ token: z.string() }), 403: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const grant = requireAdmin(request);
        // A token belongs to the person who made it, or to the owner of the token it was made with:
        // it never does more than they may, and removing them revokes it.
        const { token, info } = await store.tokens.create({
          workspaceId: grant.workspaceId,
          userId: grant.userId,
          ...request.body,
        });
        await audit.record(
          request,
          'token.created',
          { type: 'token', id: info.id, label: info.name },
          { role: info.role, prefix: info.prefix, ...(info.owner ? { ownerId: info.owner.id } : {}) },
        );
        return reply.status(201).send({ ...tokenDto(info), token });
      },
    );

    app.delete(
      '/tokens/:tokenId',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Revoke an API token',
          params: z.object({ tokenId: z.string() }),
          response: { 204: z.null(), 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const revoked = (await store.tokens.list(workspaceId)).find((t) => t.id === request.params.tokenId);
        if (!(await store.tokens.revoke(workspaceId, request.params.tokenId))) {
          throw new WasyncError('not_found', `No active token ${request.params.tokenId}.`);
        }
        await audit.record(request, 'token.revoked', {
          type: 'token',
          id: request.params.tokenId,
          label: revoked?.name,
        });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/session/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: "The signed-in person's own API tokens, revoked ones included (never their secrets)",
          description: 'Needs the session cookie: an API token is answered session_required.',
          response: {
            200: z.object({ data: z.array(TokenSchema) }),
            401: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId, userId } = sessionOnly(request);
        return { data: (await store.tokens.list(workspaceId, { userId })).map(tokenDto) };
      },
    );

    app.post(
      '/session/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Create an API token of your own, for the browser extension (any role)',
          description:
            'The token belongs to the signed-in person and has the member role, whatever their own: it reads ' +
            'and works with chats, never admin routes. Needs the session cookie and X-CSRF-Token: an API ' +
            'token is answered session_required, so a token cannot make more tokens.',
          body: z
            .strictObject({
              name: z
                .string()
                .trim()
                .min(1)
                .max(128)
                .optional()
                .describe(`What to call it; "${EXTENSION_TOKEN_NAME}" when absent.`),
            })
            .nullish(),
          response: {
            201: TokenSchema.extend({ token: z.string() }),
            400: ErrorEnvelopeSchema,
            401: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId, userId } = sessionOnly(request);
        const { token, info } = await store.tokens.create({
          workspaceId,
          userId,
          name: request.body?.name ?? EXTENSION_TOKEN_NAME,
          role: 'member',
        });
        await audit.record(
          request,
          'token.created',
          { type: 'token', id: info.id, label: info.name },
          { role: info.role, prefix: info.prefix, ownerId: userId, purpose: 'extension' },
        );
        return reply.status(201).send({ ...tokenDto(info), token });
      },
    );

    app.delete(
      '/session/tokens/:tokenId',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Revoke an API token of your own',
          description: "Another person's token, or one already revoked, is answered 404.",
          params: z.object({ tokenId: z.string() }),
          response: {
            204: z.null(),
            401: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId, userId } = sessionOnly(request);
        const revoked = (await store.tokens.list(workspaceId, { userId })).find(
          (t) => t.id === request.params.tokenId,
        );
        if (!(await store.tokens.revoke(workspaceId, request.params.tokenId, { userId }))) {
          throw new WasyncError('not_found', `You have no active token ${request.params.tokenId}.`);
        }
        await audit.record(
          request,
          'token.revoked',
          { type: 'token', id: request.params.tokenId, label: revoked?.name },
          { ownerId: userId },
        );
        return reply.status(204).send(null);
      },
    );
  };
}
