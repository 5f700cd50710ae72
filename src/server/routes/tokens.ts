import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';
import type { ApiTokenInfo } from '../../store/repositories/tokens.js';
import { requireAdmin } from '../auth.js';
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

/** API tokens: admin only. A new token's secret is in the creation response and nowhere else, ever. */
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
  };
}
