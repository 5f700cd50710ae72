import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import { newId } from '../../core/ids.js';
import { decodeCursor, type Page, toPage } from '../pagination.js';
import type { AuditEventTable, Database } from '../schema.js';
import { readJson } from '../schema.js';

/** How an actor reached wasync. */
export const AUDIT_VIAS = ['session', 'token', 'cli', 'system', 'anonymous'] as const;
export type AuditVia = (typeof AUDIT_VIAS)[number];

export interface AuditActor {
  via: AuditVia;
  userId?: string | undefined;
  tokenId?: string | undefined;
  /** Who it was in words ("Ada Admin <ada@example.com>"), kept after the person is removed. */
  label: string;
}

export interface AuditTarget {
  type: string;
  id?: string | undefined;
  label?: string | undefined;
}

export interface AuditEventInput {
  workspaceId: string;
  occurredAt: number;
  actor: AuditActor;
  action: string;
  target?: AuditTarget | undefined;
  details?: Record<string, unknown> | undefined;
  clientAddress?: string | undefined;
  userAgent?: string | undefined;
}

export interface AuditEvent {
  id: string;
  occurredAt: Date;
  actor: AuditActor;
  action: string;
  target: AuditTarget | undefined;
  details: Record<string, unknown>;
  clientAddress: string | undefined;
  userAgent: string | undefined;
  /** How many times it happened (a token's use of a route family counts into one row per hour). */
  count: number;
}

export interface AuditFilter {
  /** An action (`token.created`) or the start of one (`token`: every `token.*`). */
  action?: string | undefined;
  actorUserId?: string | undefined;
  tokenId?: string | undefined;
  /** Epoch ms, inclusive. */
  since?: number | undefined;
  /** Epoch ms, exclusive. */
  until?: number | undefined;
}

/** The audit log's rows: appended, listed newest first, and pruned by age. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(event: AuditEventInput): Promise<string> {
    const id = newId('aud');
    await this.db
      .insertInto('audit_events')
      .values(toRow(id, event, null))
      .execute();
    return id;
  }

  /**
   * Adds `count` to the row named by `dedupeKey`, or writes it with that count: one atomic upsert, so
   * several processes counting the same key end in one row.
   */
  async count(event: AuditEventInput, dedupeKey: string, count: number): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({ ...toRow(newId('aud'), event, dedupeKey), count })
      .onConflict((conflict) =>
        conflict.column('dedupe_key').doUpdateSet({ count: sql<number>`audit_events.count + ${count}` }),
      )
      .execute();
  }

  async list(
    workspaceId: string,
    filter: AuditFilter,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<AuditEvent>> {
    let query = this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit + 1);
    const action = filter.action?.replace(/\.+$/, '');
    if (action) {
      // A prefix by whole dotted parts: `token` finds `token.used`, never `tokens.x`.
      const prefix = `${action}.`;
      query = query.where((eb) =>
        eb.or([
          eb('action', '=', action),
          eb(sql<string>`substr(action, 1, ${sql.lit(prefix.length)})`, '=', prefix),
        ]),
      );
    }
    if (filter.actorUserId) query = query.where('actor_user_id', '=', filter.actorUserId);
    if (filter.tokenId) query = query.where('actor_token_id', '=', filter.tokenId);
    if (filter.since !== undefined) query = query.where('occurred_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('occurred_at', '<', filter.until);
    if (page.cursor) {
      const cursor = decodeCursor(page.cursor);
      query = query.where((eb) =>
        eb.or([
          eb('occurred_at', '<', cursor.at),
          eb.and([eb('occurred_at', '=', cursor.at), eb('id', '<', cursor.id)]),
        ]),
      );
    }
    const rows = await query.execute();
    return toPage(rows, page.limit, toEvent, (row) => ({ at: Number(row.occurred_at), id: row.id }));
  }

  /** Deletes the workspace's events that happened before `before` (epoch ms); answers how many. */
  async prune(workspaceId: string, before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('audit_events')
      .where('workspace_id', '=', workspaceId)
      .where('occurred_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRow(id: string, event: AuditEventInput, dedupeKey: string | null): Insertable<AuditEventTable> {
  return {
    id,
    workspace_id: event.workspaceId,
    occurred_at: event.occurredAt,
    actor_via: event.actor.via,
    actor_user_id: event.actor.userId ?? null,
    actor_token_id: event.actor.tokenId ?? null,
    actor_label: event.actor.label,
    action: event.action,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    target_label: event.target?.label ?? null,
    details: event.details && Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : null,
    client_address: event.clientAddress ?? null,
    user_agent: event.userAgent ?? null,
    count: 1,
    dedupe_key: dedupeKey,
  };
}

function toEvent(row: Selectable<AuditEventTable>): AuditEvent {
  return {
    id: row.id,
    occurredAt: new Date(Number(row.occurred_at)),
    actor: {
      via: row.actor_via as AuditVia,
      userId: row.actor_user_id ?? undefined,
      tokenId: row.actor_token_id ?? undefined,
      label: row.actor_label,
    },
    action: row.action,
    target:
      row.target_type === null
        ? undefined
        : {
            type: row.target_type,
            id: row.target_id ?? undefined,
            label: row.target_label ?? undefined,
          },
    details: row.details === null ? {} : readJson<Record<string, unknown>>(row.details),
    clientAddress: row.client_address ?? undefined,
    userAgent: row.user_agent ?? undefined,
    count: Number(row.count),
  };
}
