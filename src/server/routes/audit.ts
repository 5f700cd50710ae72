import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUDIT_ACTIONS, type AuditLog } from '../../audit/audit-log.js';
import type { Services } from '../../services.js';
import { AUDIT_VIAS, type AuditEvent } from '../../store/repositories/audit.js';
import { requireAdmin } from '../auth.js';
import { pageOf } from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const AuditEventSchema = z
  .object({
    id: z.string(),
    occurredAt: z.string().describe('When it happened; for token.used, the first use in the hour.'),
    actor: z.object({
      via: z.enum(AUDIT_VIAS).describe('anonymous: a sign-in attempt by nobody signed in.'),
      userId: z.string().optional(),
      tokenId: z.string().optional(),
      label: z.string().describe('Who it was, in words; kept after the person is removed.'),
    }),
    action: z.string().describe(`One of: ${AUDIT_ACTIONS.join(', ')}.`),
    target: z
      .object({ type: z.string(), id: z.string().optional(), label: z.string().optional() })
      .optional(),
    details: z
      .record(z.string(), z.unknown())
      .describe('What changed; never a password, token or credential.'),
    clientAddress: z.string().optional(),
    userAgent: z.string().optional(),
    count: z
      .number()
      .int()
      .describe('How many times: token.used counts the uses of a route family in its hour.'),
  })
  .meta({ id: 'AuditEvent' });

function auditEventDto(event: AuditEvent): z.infer<typeof AuditEventSchema> {
  return {
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    actor: {
      via: event.actor.via,
      ...(event.actor.userId ? { userId: event.actor.userId } : {}),
      ...(event.actor.tokenId ? { tokenId: event.actor.tokenId } : {}),
      label: event.actor.label,
    },
    action: event.action,
    ...(event.target
      ? {
          target: {
            type: event.target.type,
            ...(event.target.id ? { id: event.target.id } : {}),
            ...(event.target.label ? { label: event.target.label } : {}),
          },
        }
      : {}),
    details: event.details,
    ...(event.clientAddress ? { clientAddress: event.clientAddress } : {}),
    ...(event.userAgent ? { userAgent: event.userAgent } : {}),
    count: event.count,
  };
}

const Instant = z.iso.datetime({ offset: true });

/** The audit log, newest first (admin). */
export function auditRoutes(services: Services): FastifyPluginAsyncZod {
  const { audit } = services;
  return async (app) => {
    app.get(
      '/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'Who did what in the workspace, newest first (admin)',
          description:
            'Kept for the workspace setting `auditRetentionDays` (default 365). A request made with an API ' +
            'token is counted as `token.used`, one event per token, route family (the tag of the route in ' +
            'this document) and hour.',
          querystring: z.object({
            action: z
              .string()
              .regex(
                /^[a-z_]+(\.[a-z_]+)*\.?$/,
                'an action such as token.created, or its start such as token',
              )
              .max(100)
              .optional()
              .describe('An action, or the start of one: `token` lists every token.* event.'),
            actorUserId: z
              .string()
              .max(100)
              .optional()
              .describe('Events done by this person (also with their tokens).'),
            tokenId: z.string().max(100).optional().describe('Events done with this API token.'),
            since: Instant.optional().describe('From this time on (inclusive).'),
            until: Instant.optional().describe('Before this time (exclusive).'),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().optional(),
          }),
          response: { 200: pageOf(AuditEventSchema), 400: ErrorEnvelopeSchema, 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const { action, actorUserId, tokenId, since, until, limit, cursor } = request.query;
        const page = await audit.list(
          workspaceId,
          {
            action,
            actorUserId,
            tokenId,
            since: since === undefined ? undefined : Date.parse(since),
            until: until === undefined ? undefined : Date.parse(until),
          },
          { limit, cursor },
        );
        return {
          data: page.data.map(auditEventDto),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        };
      },
    );
  };
}

/** Counts every request made with an API token (after authentication) as its token's use of a route family. */
export function registerTokenUseAudit(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onRequest', async (request) => {
    await audit.tokenUsed(request);
  });
}
