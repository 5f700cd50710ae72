import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Database, ExclusionTable } from '../schema.js';

export const EXCLUSION_KINDS = ['phone', 'group', 'account'] as const;
export type ExclusionKind = (typeof EXCLUSION_KINDS)[number];

/** A number (E.164), a group chat (its id) or a whole account (its id) never backed up to a CRM. */
export interface Exclusion {
  id: string;
  kind: ExclusionKind;
  value: string;
  label: string | undefined;
  createdAt: Date;
}

/** What the sync asks of a chat: is it excluded? */
export interface ExclusionMatcher {
  phones: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  accounts: ReadonlySet<string>;
}

export class ExclusionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(workspaceId: string): Promise<Exclusion[]> {
    const rows = await this.db
      .selectFrom('exclusions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at')
      .execute();
    return rows.map(toExclusion);
  }

  /** Adds an exclusion; the same one twice is one. */
  async add(
    workspaceId: string,
    input: { kind: ExclusionKind; value: string; label: string | undefined },
  ): Promise<Exclusion> {
    return (await this.ensure(workspaceId, input)).exclusion;
  }

  /** Adds an exclusion unless the same one is there, and says which it was. */
  async ensure(
    workspaceId: string,
    input: { kind: ExclusionKind; value: string; label: string | undefined },
  ): Promise<{ exclusion: Exclusion; created: boolean }> {
    const inserted = await this.db
      .insertInto('exclusions')
      .values({
        id: newId('exc'),
        workspace_id: workspaceId,
        kind: input.kind,
        value: input.value,
        label: input.label ?? null,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'value']).doNothing())
      .returning('id')
      .executeTakeFirst();
    const row = await this.db
      .selectFrom('exclusions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', input.kind)
      .where('value', '=', input.value)
      .executeTakeFirstOrThrow();
    return { exclusion: toExclusion(row), created: inserted !== undefined };
  }

  async remove(workspaceId: string, id: string): Promise<Exclusion | undefined> {
    const row = await this.db
      .selectFrom('exclusions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    await this.db.deleteFrom('exclusions').where('id', '=', id).execute();
    return toExclusion(row);
  }

  async matcher(workspaceId: string): Promise<ExclusionMatcher> {
    const all = await this.list(workspaceId);
    const of = (kind: ExclusionKind) => new Set(all.filter((e) => e.kind === kind).map((e) => e.value));
    return { phones: of('phone'), groups: of('group'), accounts: of('account') };
  }
}

function toExclusion(row: ExclusionTable): Exclusion {
  return {
    id: row.id,
    kind: row.kind as ExclusionKind,
    value: row.value,
    label: row.label ?? undefined,
    createdAt: new Date(Number(row.created_at)),
  };
}
