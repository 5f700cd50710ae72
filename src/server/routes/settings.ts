import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEFAULT_AUDIT_RETENTION_DAYS } from '../../audit/audit-log.js';
import { WasyncError } from '../../core/errors.js';
import { isRegion, normalizePhone } from '../../core/phone.js';
import { isTimeZone } from '../../core/time-zone.js';
import { defaultRegionOf, type Services } from '../../services.js';
import { EXCLUSION_KINDS } from '../../store/repositories/exclusions.js';
import type { WorkspaceSettings } from '../../store/repositories/workspaces.js';
import { grantOf, requireAdmin } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';
import { addExclusion, ExclusionSchema, exclusionDto, exclusionTarget, touchChatsOf } from '../exclusions.js';

const MINUTE = 60_000;

const SettingsSchema = z
  .object({
    syncIntervalMinutes: z.number().describe('How often each CRM connection is synced.'),
    backfillDays: z.number().int().describe('Days of history sent when a CRM or a number is first linked.'),
    timeZone: z.string().describe('Days of transcripts and chat-export times are read in this zone.'),
    defaultRegion: z.string().optional().describe('Country of numbers written without one (ISO 3166).'),
    adminsSeeAllChats: z
      .boolean()
      .describe(
        "Whether admins read every number's chats (default), or only those a member could: numbers they own, " +
          'that are shared with them, or the team reads. Admins manage every number either way.',
      ),
    auditRetentionDays: z
      .number()
      .int()
      .describe('Days the audit log keeps an event; older ones are deleted (admins read the log).'),
    realTime: z
      .boolean()
      .describe(
        'Near-real-time sync (default on): a stored message asks for a run of the connections its chat ' +
          'reaches within seconds, bursts coalesced and the CRM budget kept; the interval stays as the safety net.',
      ),
    extensionCapture: z
      .boolean()
      .describe(
        'Capture from the browser extension (default off): the REST ingest takes the messages of the chats ' +
          'open in WhatsApp Web that the extension posts (header X-Wasync-Client: extension), into linked-device ' +
          'and REST numbers; off, it refuses them (extension_capture_off).',
      ),
    defaults: z
      .object({
        syncIntervalMinutes: z.number(),
        backfillDays: z.number().int(),
        auditRetentionDays: z.number().int(),
      })
      .describe("The server's configured values, which apply where the workspace sets none."),
    storage: z
      .object({
        usedBytes: z.number().int().describe('Bytes of media the workspace holds, each file counted once.'),
        quotaBytes: z
          .number()
          .int()
          .optional()
          .describe(
            'WASYNC_STORAGE_QUOTA: an import that would pass it is refused (storage_quota_exceeded).',
          ),
        importMaxMediaBytes: z.number().int().describe('Bytes of media one chat-export import may store.'),
        importMaxMediaFiles: z.number().int().describe('Media files one chat-export import may store.'),
      })
      .describe('Media storage and the import limits (server configuration).'),
  })
  .meta({ id: 'WorkspaceSettings' });

const SettingsChange = z
  .strictObject({
    syncIntervalMinutes: z.number().min(1).max(1440).nullable().optional(),
    backfillDays: z.number().int().min(0).max(3650).nullable().optional(),
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin').optional(),
    defaultRegion: z
      .string()
      .transform((v) => v.toUpperCase())
      .refine(isRegion, 'an ISO 3166 country code such as BR, US or DE')
      .nullable()
      .optional(),
    adminsSeeAllChats: z.boolean().optional(),
    auditRetentionDays: z.number().int().min(1).max(36500).nullable().optional(),
    realTime: z.boolean().optional(),
    extensionCapture: z.boolean().optional(),
  })
  .meta({ id: 'WorkspaceSettingsChange' });

/** The settings as an admin sets them through the API; null is the server's default. */
function asSet(settings: WorkspaceSettings) {
  return {
    syncIntervalMinutes: settings.syncIntervalMs === undefined ? null : settings.syncIntervalMs / MINUTE,
    backfillDays: settings.backfillDays ?? null,
    timeZone: settings.timeZone,
    defaultRegion: settings.defaultRegion ?? null,
    auditRetentionDays: settings.auditRetentionDays ?? null,
    adminsSeeAllChats: settings.adminsSeeAll,
    realTime: settings.realTime,
    extensionCapture: settings.extensionCapture,
  };
}

/**
 * Workspace settings (sync interval, backfill days, time zone, default region) and the exclusion list:
 * numbers, group chats and whole accounts whose chats are never backed up. Anyone reads; admins change.
 */
export function settingsRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, config, workspace, audit } = services;
  const settingsDto = async (
    workspaceId: string,
    settings: WorkspaceSettings,
  ): Promise<z.infer<typeof SettingsSchema>> => ({
    syncIntervalMinutes: (settings.syncIntervalMs ?? config.syncIntervalMs) / MINUTE,
    backfillDays: settings.backfillDays ?? config.backfillDays,
    timeZone: settings.timeZone,
    ...(settings.defaultRegion ? { defaultRegion: settings.defaultRegion } : {}),
    adminsSeeAllChats: settings.adminsSeeAll,
    auditRetentionDays: settings.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
    realTime: settings.realTime,
    extensionCapture: settings.extensionCapture,
    defaults: {
      syncIntervalMinutes: config.syncIntervalMs / MINUTE,
      backfillDays: config.backfillDays,
      auditRetentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
    },
    storage: {
      usedBytes: await store.media.storedBytes(workspaceId),
      ...(config.storageQuotaBytes === undefined ? {} : { quotaBytes: config.storageQuotaBytes }),
      importMaxMediaBytes: config.importMaxMediaBytes,
      importMaxMediaFiles: config.importMaxMediaFiles,
    },
  });

  return async (app) => {
    app.get(
      '/settings',
      {
        schema: {
          tags: ['settings'],
          summary: "The workspace's settings",
          response: { 200: SettingsSchema },
        },
      },
      async (request) => {
        const { workspaceId } = grantOf(request);
        return settingsDto(workspaceId, await store.workspaces.settings(workspaceId));
      },
    );

    app.patch(
      '/settings',
      {
        schema: {
          tags: ['settings'],
          summary: 'Change settings (admin); null returns a setting to the server default',
          description:
            'They take effect with the next sync run (realTime with the next stored message, extensionCapture with the next ingest request).',
          body: SettingsChange,
          response: { 200: SettingsSchema, 400: ErrorEnvelopeSchema, 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const {
          syncIntervalMinutes,
          backfillDays,
          timeZone,
          defaultRegion,
          adminsSeeAllChats,
          auditRetentionDays,
          realTime,
          extensionCapture,
        } = request.body;
        const before = await store.workspaces.settings(workspaceId);
        const settings = await store.workspaces.updateSettings(workspaceId, {
          ...(syncIntervalMinutes !== undefined
            ? {
                syncIntervalMs:
                  syncIntervalMinutes === null ? null : Math.round(syncIntervalMinutes * MINUTE),
              }
            : {}),
          ...(backfillDays !== undefined ? { backfillDays } : {}),
          ...(timeZone !== undefined ? { timeZone } : {}),
          ...(defaultRegion !== undefined ? { defaultRegion } : {}),
          ...(adminsSeeAllChats !== undefined ? { adminsSeeAll: adminsSeeAllChats } : {}),
          ...(auditRetentionDays !== undefined ? { auditRetentionDays } : {}),
          ...(realTime !== undefined ? { realTime } : {}),
          ...(extensionCapture !== undefined ? { extensionCapture } : {}),
        });
        // Each setting that changed, old → new by its API name (null: the server's default). None is a secret.
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        const was = asSet(before);
        const now = asSet(settings);
        for (const key of Object.keys(now) as (keyof typeof now)[]) {
          if (was[key] !== now[key]) changes[key] = { from: was[key], to: now[key] };
        }
        if (Object.keys(changes).length > 0) {
          await audit.record(
            request,
            'workspace.settings_changed',
            { type: 'workspace', id: workspaceId, label: 'workspace settings' },
            { changes },
          );
        }
        // This process's workspace follows at once; sync runs read the settings as they start.
        workspace.timeZone = settings.timeZone;
        workspace.defaultRegion = settings.defaultRegion;
        return settingsDto(workspaceId, settings);
      },
    );

    app.get(
      '/exclusions',
      {
        schema: {
          tags: ['settings'],
          summary: 'Numbers, groups and accounts whose chats are never backed up',
          response: { 200: z.object({ data: z.array(ExclusionSchema) }) },
        },
      },
      async (request) => ({
        data: (await store.exclusions.list(grantOf(request).workspaceId)).map(exclusionDto),
      }),
    );

    app.post(
      '/exclusions',
      {
        schema: {
          tags: ['settings'],
          summary: 'Exclude a number, a group chat or a whole account from backups (admin)',
          description:
            'From the next run on, nothing of it is written to any CRM; what was written before stays there.',
          body: z.strictObject({
            kind: z.enum(EXCLUSION_KINDS),
            value: z
              .string()
              .min(1)
              .max(100)
              .describe('A phone number in any spelling, a group chat id, or an account id.'),
            label: z.string().trim().max(200).optional(),
          }),
          response: {
            201: ExclusionSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const { kind, label } = request.body;
        let value = request.body.value.trim();
        if (kind === 'phone') {
          const phone = normalizePhone(value, { defaultRegion: defaultRegionOf(services) });
          if (!phone.ok)
            throw new WasyncError('invalid_phone', `${value}: ${phone.message}`, { field: 'value' });
          value = phone.e164;
        } else if (kind === 'group') {
          const chat = await store.chats.get(workspaceId, value);
          if (chat?.kind !== 'group') throw new WasyncError('not_found', `No group chat ${value}.`);
        } else if (!(await store.accounts.get(workspaceId, value))) {
          throw new WasyncError('not_found', `No account ${value}.`);
        }
        const { exclusion } = await addExclusion(services, request, {
          kind,
          value,
          label: label || undefined,
        });
        return reply.status(201).send(exclusionDto(exclusion));
      },
    );

    app.delete(
      '/exclusions/:exclusionId',
      {
        schema: {
          tags: ['settings'],
          summary: 'Back up what an exclusion kept out again (admin), from the next run on',
          params: z.object({ exclusionId: z.string() }),
          response: { 204: z.null(), 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const removed = await store.exclusions.remove(workspaceId, request.params.exclusionId);
        if (!removed) throw new WasyncError('not_found', `No exclusion ${request.params.exclusionId}.`);
        await touchChatsOf(services, workspaceId, removed);
        await audit.record(request, 'exclusion.removed', exclusionTarget(removed), {
          kind: removed.kind,
          value: removed.value,
          label: removed.label,
        });
        return reply.status(204).send(null);
      },
    );
  };
}
