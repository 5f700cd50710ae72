import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConnectionInput, type ConnectionView } from '../../crms/connections.js';
import { crmErrorAsWasync } from '../../crms/kit/api-errors.js';
import { CrmError } from '../../crms/types.js';
import type { Services } from '../../services.js';
import { grantOf, requireAdmin } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const ConnectionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['salesforce']),
    name: z.string(),
    settings: z
      .record(z.string(), z.unknown())
      .describe('Base URLs, API version, client id, sign-in flow. Never a secret.'),
    state: z.enum(['active', 'parked']),
    parkedReason: z.string().optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'CrmConnection' });

function connectionDto(connection: ConnectionView): z.infer<typeof ConnectionSchema> {
  return {
    id: connection.id,
    kind: 'salesforce',
    name: connection.name,
    settings: connection.settings,
    state: connection.state,
    ...(connection.parkedReason ? { parkedReason: connection.parkedReason } : {}),
    createdAt: connection.createdAt.toISOString(),
  };
}

const Params = z.object({ connectionId: z.string() });

/** CRM connections. Creating, deleting and setting up need an admin token; secrets never come back. */
export function connectionRoutes(services: Services): FastifyPluginAsyncZod {
  const { connections, audit } = services;
  const target = (connection: ConnectionView) => ({
    type: 'connection',
    id: connection.id,
    label: connection.name,
  });
  return async (app) => {
    app.post(
      '/connections',
      {
        schema: {
          tags: ['connections'],
          summary: 'Connect a CRM (credentials are stored encrypted)',
          body: ConnectionInput,
          response: {
            201: ConnectionSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const connection = await connections.create(workspaceId, request.body);
        await audit.record(request, 'connection.created', target(connection), {
          kind: connection.kind,
          settings: connection.settings,
        });
        return reply.status(201).send(connectionDto(connection));
      },
    );

    app.get(
      '/connections',
      {
        schema: {
          tags: ['connections'],
          summary: 'CRM connections',
          response: { 200: z.object({ data: z.array(ConnectionSchema) }) },
        },
      },
      async (request) => ({
        data: (await connections.list(grantOf(request).workspaceId)).map(connectionDto),
      }),
    );

    app.get(
      '/connections/:connectionId',
      {
        schema: {
          tags: ['connections'],
          summary: 'One CRM connection',
          params: Params,
          response: { 200: ConnectionSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) =>
        connectionDto(await connections.get(grantOf(request).workspaceId, request.params.connectionId)),
    );

    app.delete(
      '/connections/:connectionId',
      {
        schema: {
          tags: ['connections'],
          summary: 'Delete a CRM connection',
          params: Params,
          response: { 204: z.null(), 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const connection = await connections.get(workspaceId, request.params.connectionId);
        await connections.delete(workspaceId, request.params.connectionId);
        await audit.record(request, 'connection.deleted', target(connection), { kind: connection.kind });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/connections/:connectionId/test',
      {
        schema: {
          tags: ['connections'],
          summary: 'Sign in and check the CRM is set up; answers the problems found',
          params: Params,
          response: {
            200: z.object({ ok: z.boolean(), problems: z.array(z.string()) }),
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = grantOf(request);
        const connection = await connections.get(workspaceId, request.params.connectionId);
        const destination = await connections.destination(workspaceId, request.params.connectionId);
        const problems = await destination.test().catch((error: unknown) => {
          if (error instanceof CrmError) return [`${error.message} (${error.code})`];
          throw error;
        });
        await audit.record(request, 'connection.tested', target(connection), {
          ok: problems.length === 0,
          problems: problems.length,
        });
        return { ok: problems.length === 0, problems };
      },
    );

    app.post(
      '/connections/:connectionId/setup',
      {
        schema: {
          tags: ['connections'],
          summary:
            'Prepare the CRM for wasync (Salesforce: the WhatsApp Chat object, access for the connection user, page layouts)',
          description:
            'Safe to run again. `created` lists what this run created or changed, `existing` what was there already, `manualSteps` what a person must still do in the CRM (a page layout setup may not change).',
          params: Params,
          response: {
            200: z.object({
              created: z.array(z.string()),
              existing: z.array(z.string()),
              manualSteps: z.array(z.string()),
            }),
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            502: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const connection = await connections.get(workspaceId, request.params.connectionId);
        try {
          const report = await connections.setUp(workspaceId, request.params.connectionId);
          await audit.record(request, 'connection.setup_run', target(connection), {
            created: report.created,
            manualSteps: report.manualSteps.length,
          });
          return report;
        } catch (error) {
          if (!(error instanceof CrmError)) throw error;
          await audit.record(request, 'connection.setup_run', target(connection), {
            failed: error.code,
          });
          throw crmErrorAsWasync(error);
        }
      },
    );
  };
}
