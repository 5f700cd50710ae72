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
    };
    await this.db.insertInto('workspaces').values(row).execute();
    return toWorkspace(row);
  }
}

function toWorkspace(row: WorkspaceTable): Workspace {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    defaultRegion: row.default_region ?? undefined,
    createdAt: new Date(row.created_at),
  };
}
