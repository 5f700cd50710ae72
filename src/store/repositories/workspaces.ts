import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Workspace } from '../../core/model.js';
import type { Database, WorkspaceTable } from '../schema.js';

export class WorkspaceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The workspace this install serves. One install runs one workspace; the table exists so that users,
   * tokens and accounts already carry the key a multi-workspace install would need.
   */
  async ensureDefault(defaults: {
    name: string;
    timeZone: string;
    defaultRegion: string | undefined;
  }): Promise<Workspace> {
    const existing = await this.db
      .selectFrom('workspaces')
      .selectAll()
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    if (existing) return toWorkspace(existing);
    const row: WorkspaceTable = {
      id: newId('ws'),
      name: defaults.name,
      time_zone: defaults.timeZone,
      default_region: defaults.defaultRegion ?? null,
      created_at: Date.now(),
      sync_interval_ms: null,
      backfill_days: null,
      admins_see_all: 1,
      audit_retention_days: null,
      real_time: 1,
      extension_capture: 0,
    };
    await this.db.insertInto('workspaces').values(row).execute();
    return toWorkspace(row);
  }

  async settings(workspaceId: string): Promise<WorkspaceSettings> {
    const row = await this.db
      .selectFrom('workspaces')
      .selectAll()
      .where('id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    return {
      timeZone: row.time_zone,
      defaultRegion: row.default_region ?? undefined,
      syncIntervalMs: row.sync_interval_ms === null ? undefined : Number(row.sync_interval_ms),
      backfillDays: row.backfill_days ?? undefined,
      adminsSeeAll: Number(row.admins_see_all) === 1,
      auditRetentionDays: row.audit_retention_days ?? undefined,
      realTime: Number(row.real_time) === 1,
      extensionCapture: Number(row.extension_capture) === 1,
    };
  }

  /** Changes settings; a field left undefined stays, null returns it to the server's default. */
  async updateSettings(workspaceId: string, change: SettingsChange): Promise<WorkspaceSettings> {
    const set: Partial<WorkspaceTable> = {};
    if (change.timeZone) set.time_zone = change.timeZone;
    if (change.defaultRegion !== undefined) set.default_region = change.defaultRegion;
    if (change.syncIntervalMs !== undefined) set.sync_interval_ms = change.syncIntervalMs;
    if (change.backfillDays !== undefined) set.backfill_days = change.backfillDays;
    if (change.adminsSeeAll !== undefined && change.adminsSeeAll !== null)
      set.admins_see_all = change.adminsSeeAll ? 1 : 0;
    if (change.auditRetentionDays !== undefined) set.audit_retention_days = change.auditRetentionDays;
    if (change.realTime !== undefined && change.realTime !== null) set.real_time = change.realTime ? 1 : 0;
    if (change.extensionCapture !== undefined && change.extensionCapture !== null)
      set.extension_capture = change.extensionCapture ? 1 : 0;
    if (Object.keys(set).length > 0) {
      await this.db.updateTable('workspaces').set(set).where('id', '=', workspaceId).execute();
    }
    return this.settings(workspaceId);
  }
}

/** What an admin set in the workspace; undefined is the server's configured default. */
export interface WorkspaceSettings {
  timeZone: string;
  defaultRegion: string | undefined;
  syncIntervalMs: number | undefined;
  backfillDays: number | undefined;
  /** Whether admins read every number's chats (the default) or only those a member could. */
  adminsSeeAll: boolean;
  /** Days the audit log keeps an event; undefined is the default (DEFAULT_AUDIT_RETENTION_DAYS). */
  auditRetentionDays: number | undefined;
  /** Near-real-time sync: a stored message asks for a run within seconds (default on). */
  realTime: boolean;
  /**
   * Whether the REST ingest takes messages the browser extension captured from WhatsApp Web (default off);
   * src/server/routes/ingest.ts enforces it.
   */
  extensionCapture: boolean;
}

export type SettingsChange = {
  [K in keyof WorkspaceSettings]?: WorkspaceSettings[K] | null;
};

function toWorkspace(row: WorkspaceTable): Workspace {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    defaultRegion: row.default_region ?? undefined,
    createdAt: new Date(row.created_at),
  };
}
