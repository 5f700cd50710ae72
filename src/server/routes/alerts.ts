import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AlertSettingsView } from '../../health/alerts.js';
import type { Services } from '../../services.js';
import type { SentAlert } from '../../store/repositories/alerts.js';
import { grantOf, requireAdmin } from '../auth.js';
import { HealthSchema, healthDto } from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const AlertSettingsSchema = z
  .object({
    webhookUrl: z
      .string()
      .optional()
      .describe('Alerts are POSTed here as JSON; none set: no alerts are sent.'),
    webhookSigned: z
      .boolean()
      .describe(
        'Whether a secret is set: each alert then carries `X-Wasync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.',
      ),
    smtp: z
      .object({
        host: z.string(),
        port: z.number().int(),
        secure: z
          .boolean()
          .describe('TLS from the first byte (port 465); false: STARTTLS when the server offers it.'),
        user: z.string().optional(),
        passwordSet: z.boolean(),
        from: z.string(),
      })
      .optional()
      .describe(
        "The SMTP server alerts are e-mailed through to the workspace's admins; none set: no e-mail.",
      ),
    recipients: z.array(z.string()).describe("Who the e-mail goes to: the workspace's admins."),
  })
  .meta({ id: 'AlertSettings' });

const AlertSettingsChange = z
  .strictObject({
    webhookUrl: z.string().min(1).max(2000).nullable().optional().describe('null: stop sending alerts.'),
    webhookSecret: z
      .string()
      .min(16)
      .max(256)
      .nullable()
      .optional()
      .describe('The signing secret (16 characters or more); null: send alerts unsigned. Never shown again.'),
    smtp: z
      .strictObject({
        host: z.string().trim().min(1).max(253),
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().default(false),
        user: z.string().min(1).max(320).optional(),
        password: z
          .string()
          .min(1)
          .max(1024)
          .nullable()
          .optional()
          .describe('Left out: the stored one stays; null: none. Never shown again.'),
        from: z.email().max(320).describe('The sender address.'),
      })
      .nullable()
      .optional()
      .describe('Replaces the SMTP server whole; null: stop e-mailing alerts.'),
  })
  .meta({ id: 'AlertSettingsChange' });

const AlertSchema = z
  .object({
    id: z.string(),
    event: z.enum(['started', 'cleared', 'test']),
    subject: z.object({
      type: z.enum(['account', 'connection']),
      id: z.string(),
      label: z.string().describe('The number (or its name), or the connection name.'),
    }),
    code: z.string().describe("The health sign's code (see Health)."),
    message: z.string(),
    channel: z.enum(['webhook', 'email']),
    delivered: z.boolean().describe('Whether the receiver accepted it (a 2xx answer).'),
    error: z.string().optional(),
    sentAt: z.string(),
    attempts: z.number().int().describe('Tries so far.'),
    retryAt: z
      .string()
      .optional()
      .describe('When an alert not delivered is tried again (five more tries over about 4.5 h).'),
  })
  .meta({ id: 'Alert' });

function alertDto(alert: SentAlert): z.infer<typeof AlertSchema> {
  return {
    id: alert.id,
    event: alert.event,
    subject: alert.subject,
    code: alert.code,
    message: alert.message,
    channel: alert.channel,
    delivered: alert.delivered,
    ...(alert.error ? { error: alert.error } : {}),
    sentAt: alert.sentAt.toISOString(),
    attempts: alert.attempts,
    ...(alert.retryAt ? { retryAt: alert.retryAt.toISOString() } : {}),
  };
}

const settingsDto = (view: AlertSettingsView): z.infer<typeof AlertSettingsSchema> => ({
  ...(view.webhookUrl ? { webhookUrl: view.webhookUrl } : {}),
  webhookSigned: view.webhookSigned,
  ...(view.smtp
    ? {
        smtp: {
          host: view.smtp.host,
          port: view.smtp.port,
          secure: view.smtp.secure,
          ...(view.smtp.user ? { user: view.smtp.user } : {}),
          passwordSet: view.smtp.passwordSet,
          from: view.smtp.from,
        },
      }
    : {}),
  recipients: view.recipients,
});

/**
 * Alerts to admins (where they go, a test alert, the record of alerts sent) and the health of the
 * CRM connections; the health of numbers comes with each account.
 */
export function alertRoutes(services: Services): FastifyPluginAsyncZod {
  const { alerts, store, audit } = services;
  return async (app) => {
    app.get(
      '/settings/alerts',
      {
        schema: {
          tags: ['settings'],
          summary: 'Where alerts to admins go (admin)',
          response: { 200: AlertSettingsSchema, 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        requireAdmin(request);
        return settingsDto(await alerts.settings());
      },
    );

    app.patch(
      '/settings/alerts',
      {
        schema: {
          tags: ['settings'],
          summary: 'Change where alerts go (admin)',
          description:
            'An alert is sent once when a number stops capturing or a connection stops syncing, and once when that clears. The URL is checked like every outbound URL (https, or a host in WASYNC_OUTBOUND_ALLOW).',
          body: AlertSettingsChange,
          response: { 200: AlertSettingsSchema, 400: ErrorEnvelopeSchema, 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const before = await alerts.settings();
        const view = await alerts.configure(request.body);
        // The secret is named as changed, never written down.
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        if (before.webhookUrl !== view.webhookUrl)
          changes.alertWebhookUrl = { from: before.webhookUrl ?? null, to: view.webhookUrl ?? null };
        if (request.body.webhookSecret !== undefined)
          changes.alertWebhookSigned = { from: before.webhookSigned, to: view.webhookSigned };
        if (request.body.smtp !== undefined)
          changes.alertSmtp = {
            from: before.smtp ? `${before.smtp.host}:${before.smtp.port}` : null,
            to: view.smtp ? `${view.smtp.host}:${view.smtp.port}` : null,
          };
        if (Object.keys(changes).length > 0)
          await audit.record(
            request,
            'workspace.settings_changed',
            { type: 'workspace', id: workspaceId, label: 'alert settings' },
            { changes },
          );
        return settingsDto(view);
      },
    );

    app.post(
      '/settings/alerts/test',
      {
        schema: {
          tags: ['settings'],
          summary: 'Send a test alert to each channel set (admin)',
          description:
            'Answers the alerts as recorded, one per channel: `delivered` false with the `error` when the receiver did not take it.',
          response: {
            200: z.object({ data: z.array(AlertSchema) }),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        requireAdmin(request);
        return { data: (await alerts.sendTest()).map(alertDto) };
      },
    );

    app.get(
      '/alerts',
      {
        schema: {
          tags: ['settings'],
          summary: 'Alerts sent to admins, newest first (admin)',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
          response: { 200: z.object({ data: z.array(AlertSchema) }), 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        return { data: (await store.alerts.sent(workspaceId, request.query.limit)).map(alertDto) };
      },
    );

    app.get(
      '/health/connections',
      {
        schema: {
          tags: ['sync'],
          summary: "Each CRM connection's health: needing attention, or its runs failing",
          response: {
            200: z.object({
              data: z.array(z.object({ id: z.string(), name: z.string(), health: HealthSchema })),
            }),
          },
        },
      },
      async (request) => {
        const { workspaceId } = grantOf(request);
        const health = await alerts.health.connections(workspaceId);
        return {
          data: [...health].map(([id, h]) => ({
            id,
            name: h.name,
            health: healthDto({ status: h.status, signs: h.signs }),
          })),
        };
      },
    );
  };
}
