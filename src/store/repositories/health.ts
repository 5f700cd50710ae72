import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** A linked-device session's state as stored (as text: a state added later still comes through). */
export interface SessionSignal {
  state: string;
  reason: string | undefined;
  stateAt: Date;
  /** Until when a temporarily banned session waits before it connects again. */
  pausedUntil: Date | undefined;
  /** Start of the disconnection still open: kept across reconnect attempts, which each restamp the state. */
  gapSince: Date | undefined;
}

/** Media that failed for good since a time: how many, and the latest reason. */
export interface MediaFailures {
  count: number;
  lastFailure: string | undefined;
  lastAt: Date;
}

/** A CRM connection's state and its runs, as the health of the connection reads them. */
export interface ConnectionSignal {
  id: string;
  name: string;
  state: string;
  parkedReason: string | undefined;
  updatedAt: Date;
  /** Runs failed in a row since the last one that finished. */
  attempts: number;
  lastError: string | undefined;
  lastSuccessAt: Date | undefined;
  lastFinishedAt: Date | undefined;
}

const date = (value: number | string | null | undefined) =>
  value === null || value === undefined ? undefined : new Date(Number(value));

/** The reads behind an account's and a connection's health (see src/health). */
export class HealthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async sessions(accountIds: readonly string[]): Promise<Map<string, SessionSignal>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('whatsapp_web_sessions')
      .selectAll()
      .where('account_id', 'in', accountIds)
      .execute();
    return new Map(
      rows.map((row) => [
        row.account_id,
        {
          state: row.state,
          reason: row.reason ?? undefined,
          stateAt: new Date(Number(row.state_at)),
          pausedUntil: date(row.paused_until),
          gapSince: date(row.gap_since),
        },
      ]),
    );
  }

  /** A Cloud API account's last signed delivery and last refused signature; undefined when not set up. */
  async webhook(
    accountId: string,
  ): Promise<{ lastDeliveryAt: Date | undefined; lastSignatureFailureAt: Date | undefined } | undefined> {
    const row = await this.db
      .selectFrom('whatsapp_cloud_accounts')
      .select(['last_delivery_at', 'last_signature_failure_at'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return (
      row && {
        lastDeliveryAt: date(row.last_delivery_at),
        lastSignatureFailureAt: date(row.last_signature_failure_at),
      }
    );
  }

  /** When the account's webhook deliveries arrived since `since`, oldest first (at most `limit`, the latest). */
  async deliveryTimes(accountId: string, since: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select('received_at')
      .where('account_id', '=', accountId)
      .where('received_at', '>=', since)
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => Number(row.received_at)).reverse();
  }

  /** Media of each account that failed for good since `since`. */
  async mediaFailures(accountIds: readonly string[], since: number): Promise<Map<string, MediaFailures>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('media')
      .innerJoin('messages', 'messages.id', 'media.message_id')
      .select(['messages.account_id as accountId', 'media.failure', 'media.updated_at'])
      .where('messages.account_id', 'in', accountIds)
      .where('media.state', 'in', ['failed', 'parked'])
      .where('media.updated_at', '>=', since)
      .orderBy('media.updated_at')
      .execute();
    const found = new Map<string, MediaFailures>();
    for (const row of rows) {
      const entry = found.get(row.accountId);
      found.set(row.accountId, {
        count: (entry?.count ?? 0) + 1,
        lastFailure: row.failure ?? entry?.lastFailure,
        lastAt: new Date(Number(row.updated_at)),
      });
    }
    return found;
  }

  async connections(workspaceId: string): Promise<ConnectionSignal[]> {
    const rows = await this.db
      .selectFrom('crm_connections')
      .leftJoin('sync_jobs', 'sync_jobs.connection_id', 'crm_connections.id')
      .select([
        'crm_connections.id',
        'crm_connections.name',
        'crm_connections.state',
        'crm_connections.parked_reason',
        'crm_connections.updated_at',
        'sync_jobs.attempts',
        'sync_jobs.last_error',
        'sync_jobs.last_success_at',
        'sync_jobs.last_finished_at',
      ])
      .where('crm_connections.workspace_id', '=', workspaceId)
      .orderBy('crm_connections.created_at')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      state: row.state,
      parkedReason: row.parked_reason ?? undefined,
      updatedAt: new Date(Number(row.updated_at)),
      attempts: Number(row.attempts ?? 0),
      lastError: row.last_error ?? undefined,
      lastSuccessAt: date(row.last_success_at),
      lastFinishedAt: date(row.last_finished_at),
    }));
  }
}
