import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/audit-log.js';
import type { ConnectionService, ConnectionTest, ConnectionView } from '../../crms/connections.js';
import { crmErrorAsWasync } from '../../crms/kit/api-errors.js';
import type { CrmRegistry } from '../../crms/registry.js';
import { CrmError } from '../../crms/types.js';
import type { Services } from '../../services.js';
import { grantOf, requireAdmin } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

/** A connection row; `kind` names one of the registered kinds. */
function connectionSchema(registry: CrmRegistry) {
  return z
    .object({
      id: z.string(),
      kind: z.enum(registry.names()),
      name: z.string(),
      settings: z
        .record(z.string(), z.unknown())
        .describe('Base URLs, API version, client id, sign-in flow. Never a secret.'),
      summary: z
        .string()
        .optional()
        .describe(
          'The settings in one line, as the kind describes them (Salesforce: login URL · sign-in flow).',
        ),
      state: z
        .enum(['active', 'parked'])
        .describe(
          'parked: the connection needs attention and the sync leaves it alone: it could not sign in when saved or tested (bad credentials, the CRM unreachable), or the CRM refused a sync. A test that passes, or Sync now, clears it.',
        ),
      parkedReason: z
        .string()
        .optional()
        .describe("What needs attention, in the CRM's words, ending with its stable code in brackets."),
      createdAt: z.string(),
    })
    .meta({ id: 'CrmConnection' });
}

const ConnectionTestSchema = z
  .object({
    ok: z.boolean().describe('Signed in, and everything wasync writes into is set up.'),
    problems: z.array(z.string()),
    failure: z
      .object({
        code: z.string().describe("The CRM's stable code (invalid_grant, NETWORK, …)."),
        message: z.string(),
      })
      .optional()
      .describe('wasync could not sign in at the CRM or reach it: the connection needs attention.'),
  })
  .meta({ id: 'CrmConnectionTest' });

function testDto(test: ConnectionTest) {
  return {
    ok: test.ok,
    problems: test.problems,
    ...(test.failure ? { failure: test.failure } : {}),
  };
}

function connectionDto(connections: ConnectionService, connection: ConnectionView) {
  const summary = connections.registry.get(connection.kind)?.describeSettings?.(connection.settings);
  return {
    id: connection.id,
    kind: connection.kind,
    name: connection.name,
    settings: connection.settings,
    ...(summary ? { summary } : {}),
    state: connection.state,
    ...(connection.parkedReason ? { parkedReason: connection.parkedReason } : {}),
    createdAt: connection.createdAt.toISOString(),
  };
}

const FormFieldSchema = z
  .object({
    name: z
      .string()
      .describe('Where the value goes in the body; a dot names a nested field (auth.clientId).'),
    label: z.string(),
    type: z.enum(['text', 'url', 'password', 'select', 'textarea']),
    required: z.boolean(),
    secret: z.boolean().describe('Sealed at rest and never shown again.'),
    hint: z.string().optional(),
    hintWhen: z
      .array(z.object({ field: z.string(), value: z.string(), hint: z.string() }))
      .optional()
      .describe('The hint while another field has the value.'),
    options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
    other: z
      .object({ label: z.string(), type: z.enum(['text', 'url']), placeholder: z.string().optional() })
      .optional()
      .describe("A select's last choice, whose value is typed in rather than picked."),
    defaultValue: z.string().optional(),
    placeholder: z.string().optional(),
    pattern: z.string().optional(),
    emptyAsNull: z.boolean().optional().describe('An empty value is sent as null rather than left out.'),
    when: z
      .object({ field: z.string(), values: z.array(z.string()) })
      .optional()
      .describe('Shown and sent only while another field has one of these values.'),
  })
  .meta({ id: 'CrmFormField' });

const CapabilitiesSchema = z
  .object({
    leads: z.boolean().describe('Leads exist beside contacts.'),
    deals: z.boolean().describe('Open deals are shown on the card.'),
  })
  .meta({ id: 'CrmCapabilities' });

const FormSchema = z
  .object({
    intro: z.string().optional().describe('What the CRM needs first; `backticks` mark code.'),
    fields: z.array(FormFieldSchema),
  })
  .meta({ id: 'CrmForm' });

const OAuthFormSchema = z
  .object({
    appIntro: z
      .string()
      .describe(
        "What the CRM's app needs, before the callback URL to register in it; `backticks` mark code.",
      ),
    clientIdLabel: z.string(),
    clientSecretLabel: z.string(),
    start: FormSchema.describe('The body of POST /oauth/{kind}/start.'),
  })
  .meta({ id: 'CrmOAuthForm' });

const CrmKindSchema = z
  .object({
    kind: z.string(),
    displayName: z.string(),
    capabilities: CapabilitiesSchema,
    setup: z
      .object({ label: z.string(), description: z.string() })
      .optional()
      .describe('Present where the kind prepares the CRM (POST /connections/{id}/setup).'),
    sandbox: z.string().optional().describe('`wasync sandbox <name>` runs a local stand-in for it.'),
    oauth: z.boolean().describe('A person can connect it by signing in at the CRM.'),
    oauthForm: OAuthFormSchema.optional().describe(
      'Where `oauth` is: what the workspace asks for the app and for a sign-in.',
    ),
    form: FormSchema,
  })
  .meta({ id: 'CrmKind' });

const Params = z.object({ connectionId: z.string() });

/**
 * The audit entry of a new connection, however it was made (this API, or a sign-in at the CRM, whose
 * `via` says so): what kind, and its settings (never a secret).
 */
export function auditCreated(
  audit: AuditLog,
  request: FastifyRequest,
  connection: ConnectionView,
  extra: { via?: 'oauth'; tested?: ReturnType<typeof testedDetails> } = {},
): Promise<void> {
  return audit.record(
    request,
    'connection.created',
    { type: 'connection', id: connection.id, label: connection.name },
    { kind: connection.kind, settings: connection.settings, ...extra },
  );
}

/** What the audit log keeps of a connection test: whether it passed, and the code that stopped it. */
function testedDetails(test: ConnectionTest) {
  return {
    ok: test.ok,
    problems: test.problems.length,
    ...(test.failure ? { failed: test.failure.code } : {}),
  };
}

/** CRM connections. Creating, deleting and setting up need an admin token; secrets never come back. */
export function connectionRoutes(services: Services): FastifyPluginAsyncZod {
  const { connections, audit, sync } = services;
  const { registry } = connections;
  const ConnectionSchema = connectionSchema(registry);
  const dto = (connection: ConnectionView) => connectionDto(connections, connection);
  const target = (connection: ConnectionView) => ({
    type: 'connection',
    id: connection.id,
    label: connection.name,
  });
  const auditTested = (request: FastifyRequest, connection: ConnectionView, test: ConnectionTest) =>
    audit.record(request, 'connection.tested', target(connection), testedDetails(test));
  return async (app) => {
    app.get(
      '/crm-kinds',
      {
        schema: {
          tags: ['connections'],
          summary: 'The kinds of CRM this server connects, with the form each one is connected with',
          response: { 200: z.object({ data: z.array(CrmKindSchema) }) },
        },
      },
      async (request) => {
        grantOf(request);
        return {
          data: registry.list().map((definition) => {
            const { setup, sandbox, oauthForm, ...view } = registry.view(definition);
            return {
              ...view,
              ...(setup ? { setup } : {}),
              ...(sandbox ? { sandbox } : {}),
              ...(oauthForm ? { oauthForm } : {}),
            };
          }),
        };
      },
    );

    app.post(
      '/connections',
      {
        schema: {
          tags: ['connections'],
          summary: 'Connect a CRM (credentials are stored encrypted), and test it',
          description:
            "The body is the kind's own: `kind` picks it (GET /crm-kinds lists the kinds). The connection is tested before the answer: one that cannot sign in (bad credentials, the CRM unreachable) is saved as needing attention (`state: parked`, with the CRM's reason), and the sync leaves it alone until a test passes. `test` says what the test found.",
          body: registry.inputSchema(),
          response: {
            201: ConnectionSchema.extend({ test: ConnectionTestSchema }).meta({ id: 'CrmConnectionSaved' }),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const created = await connections.create(workspaceId, request.body, { untested: true });
        // Signed in, it is active even with setup left to do: that setup is the next step.
        const { test, connection } = await connections.test(workspaceId, created.id, {
          clearWhenSignedIn: true,
        });
        await auditCreated(audit, request, connection, { tested: testedDetails(test) });
        return reply.status(201).send({ ...dto(connection), test: testDto(test) });
      },
    );

    app.put(
      '/connections/:connectionId',
      {
        schema: {
          tags: ['connections'],
          summary: 'Change a CRM connection (its whole body again, secrets included), and test it',
          description:
            "The body is the kind's own, as POST /connections takes it; the kind stays. The connection is tested before the answer, as a new one is: one that still cannot sign in needs attention (`state: parked`), one that signs in is active again and its run is queued.",
          params: Params,
          body: registry.inputSchema(),
          response: {
            200: ConnectionSchema.extend({ test: ConnectionTestSchema }).meta({ id: 'CrmConnectionChanged' }),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const replaced = await connections.replace(workspaceId, request.params.connectionId, request.body);
        sync.forget(replaced.id);
        const { test, connection, cleared } = await connections.test(workspaceId, replaced.id, {
          clearWhenSignedIn: true,
        });
        if (cleared) await sync.enqueue(connection.id, 'connection changed');
        await audit.record(request, 'connection.updated', target(connection), {
          kind: connection.kind,
          settings: connection.settings,
          tested: testedDetails(test),
        });
        return { ...dto(connection), test: testDto(test) };
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
        data: (await connections.list(grantOf(request).workspaceId)).map(dto),
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
        dto(await connections.get(grantOf(request).workspaceId, request.params.connectionId)),
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
          description:
            'A connection that cannot sign in (bad credentials, the CRM unreachable) needs attention afterwards (`state: parked`, with the reason); one that needed attention and passes is active again, and a run is queued.',
          params: Params,
          response: {
            200: ConnectionTestSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = grantOf(request);
        const { test, connection, cleared } = await connections.test(
          workspaceId,
          request.params.connectionId,
        );
        // A connection that needed attention and passes goes back to the schedule at once; one
        // that cannot sign in drops the destination the sync holds, so a fix is tried afresh.
        if (cleared || test.failure) sync.forget(connection.id);
        if (cleared) await sync.enqueue(connection.id, 'connection tested');
        await auditTested(request, connection, test);
        return testDto(test);
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
