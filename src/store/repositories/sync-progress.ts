import { type Kysely, type Selectable, sql } from 'kysely';
import type { RecordType } from '../../core/model.js';
import type { Database, SyncChatTable } from '../schema.js';
import { CRM_CHAT_STATES, type CrmChatState, crmStateSql } from './crm-chat-state.js';

/**
 * A chat's last outcome on a connection. `outside_window`: its people are linked, but none of its
 * messages is within what goes to the CRM (older than the backfill window, none asked for).
 */
export type ChatSyncStatus = 'synced' | 'unmatched' | 'failed' | 'pending' | 'excluded' | 'outside_window';

export interface ChatSyncState {
  chatId: string;
  status: ChatSyncStatus;
  reason: string | undefined;
  /** Changes stamped before this time (less a margin) have reached every record of the chat. */
  syncedThrough: number | undefined;
  checkedAt: Date;
  retryAt: number | undefined;
  lastSyncedAt: Date | undefined;
}

export interface TargetState {
  recordType: RecordType;
  recordId: string;
  /** The link's backfill window this target was first written with; a new window means a new backfill. */
  backfillFrom: number;
  syncedThrough: number;
  lastSyncedAt: Date;
}

export interface CandidateRules {
  now: number;
  /** A chat never synced is only worth a look when it changed within the backfill window. */
  backfillMs: number;
  /** How often a chat with no CRM record is looked up again even if nothing changed. */
  recheckMs: number;
}

const CHUNK = 400;

/** The sync_chats columns, from a left join aliased `sc`. */
const SYNC_CHAT_COLUMNS = [
  'sc.connection_id',
  'sc.chat_id',
  'sc.status',
  'sc.reason',
  'sc.synced_through',
  'sc.seen_seq',
  'sc.checked_at',
  'sc.retry_at',
  'sc.last_synced_at',
  'sc.updated_at',
] as const;

/** Where each chat, and each (chat, record), of a connection stands with the sync. */
export class SyncProgressRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The next page of chats the connection's run must look at, by chat id after `after`. */
  async candidates(
    connectionId: string,
    workspaceId: string,
    rules: CandidateRules,
    after: string,
    limit: number,
  ): Promise<{ id: string; seq: number }[]> {
    const { now } = rules;
    const rows = await this.db
      .selectFrom('chats')
      .innerJoin('accounts', 'accounts.id', 'chats.account_id')
      .leftJoin('sync_chats as sc', (join) =>
        join.onRef('sc.chat_id', '=', 'chats.id').on('sc.connection_id', '=', connectionId),
      )
      .select(['chats.id', 'chats.change_seq'])
      .where('accounts.workspace_id', '=', workspaceId)
      .where('chats.id', '>', after)
      .where((eb) =>
        eb.or([
          eb.and([eb('sc.chat_id', 'is', null), eb('chats.changed_at', '>=', now - rules.backfillMs)]),
          eb.and([
            eb('sc.chat_id', 'is not', null),
            eb.or([
              eb('sc.synced_through', 'is', null),
              eb('sc.seen_seq', 'is', null),
              eb('chats.change_seq', '!=', eb.ref('sc.seen_seq')),
              eb.and([eb('sc.retry_at', 'is not', null), eb('sc.retry_at', '<=', now)]),
              eb.and([eb('sc.status', '=', 'unmatched'), eb('sc.checked_at', '<=', now - rules.recheckMs)]),
            ]),
          ]),
        ]),
      )
      .orderBy('chats.id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, seq: Number(row.change_seq) }));
  }

  async chats(connectionId: string, chatIds: readonly string[]): Promise<Map<string, ChatSyncState>> {
    const states = new Map<string, ChatSyncState>();
    for (let i = 0; i < chatIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('sync_chats')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('chat_id', 'in', chatIds.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) states.set(row.chat_id, toChatState(row));
    }
    return states;
  }

  /**
   * Records the outcome of a run for one chat. With `settled` (the change_seq the run started from and
   * the run's start time), the chat counts as synced through them; without, they stay as they were.
   */
  async saveChat(
    connectionId: string,
    chatId: string,
    state: {
      status: ChatSyncStatus;
      reason: string | undefined;
      settled: { seq: number; through: number } | undefined;
      retryAt: number | undefined;
      synced: boolean;
    },
  ): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('sync_chats')
      .values({
        connection_id: connectionId,
        chat_id: chatId,
        status: state.status,
        reason: state.reason ?? null,
        synced_through: state.settled?.through ?? null,
        seen_seq: state.settled?.seq ?? null,
        checked_at: now,
        retry_at: state.retryAt ?? null,
        last_synced_at: state.synced ? now : null,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['connection_id', 'chat_id']).doUpdateSet((eb) => ({
          status: state.status,
          reason: state.reason ?? null,
          synced_through:
            state.settled === undefined ? eb.ref('sync_chats.synced_through') : state.settled.through,
          seen_seq: state.settled === undefined ? eb.ref('sync_chats.seen_seq') : state.settled.seq,
          checked_at: now,
          retry_at: state.retryAt ?? null,
          last_synced_at: state.synced ? now : eb.ref('sync_chats.last_synced_at'),
          updated_at: now,
        })),
      )
      .execute();
  }

  /**
   * Makes the next run look at these chats again, on one connection or all of a workspace's: after a
   * link by hand, an unlink, or a person's retry.
   */
  async invalidate(connectionIds: readonly string[], chatIds: readonly string[]): Promise<void> {
    if (connectionIds.length === 0 || chatIds.length === 0) return;
    const now = Date.now();
    for (const connectionId of connectionIds) {
      for (const chatId of new Set(chatIds)) {
        await this.db
          .insertInto('sync_chats')
          .values({
            connection_id: connectionId,
            chat_id: chatId,
            status: 'pending',
            reason: null,
            synced_through: null,
            seen_seq: null,
            checked_at: now,
            retry_at: null,
            last_synced_at: null,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc
              .columns(['connection_id', 'chat_id'])
              .doUpdateSet({ synced_through: null, seen_seq: null, retry_at: null, updated_at: now }),
          )
          .execute();
      }
    }
  }

  async targets(connectionId: string, chatId: string): Promise<Map<string, TargetState>> {
    const rows = await this.db
      .selectFrom('sync_targets')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('chat_id', '=', chatId)
      .execute();
    return new Map(
      rows.map((row) => [
        row.record_id,
        {
          recordType: row.record_type === 'lead' ? 'lead' : 'contact',
          recordId: row.record_id,
          backfillFrom: row.backfill_from,
          syncedThrough: row.synced_through,
          lastSyncedAt: new Date(row.last_synced_at),
        },
      ]),
    );
  }

  async saveTarget(
    connectionId: string,
    chatId: string,
    target: { recordType: RecordType; recordId: string; backfillFrom: number; syncedThrough: number },
  ): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('sync_targets')
      .values({
        connection_id: connectionId,
        chat_id: chatId,
        record_type: target.recordType,
        record_id: target.recordId,
        backfill_from: target.backfillFrom,
        synced_through: target.syncedThrough,
        last_synced_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['connection_id', 'chat_id', 'record_id']).doUpdateSet({
          record_type: target.recordType,
          backfill_from: target.backfillFrom,
          synced_through: target.syncedThrough,
          last_synced_at: now,
        }),
      )
      .execute();
  }

  /** Chats of the connection in a state, most recently checked first. */
  async byStatus(
    connectionId: string,
    statuses: readonly ChatSyncStatus[],
    limit: number,
  ): Promise<ChatSyncState[]> {
    const rows = await this.db
      .selectFrom('sync_chats')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('status', 'in', statuses)
      .orderBy('checked_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toChatState);
  }

  /** Each chat's state on each of the workspace's connections (see crm-chat-state.ts). */
  async crmStates(
    workspaceId: string,
    chatIds: readonly string[],
    windowStart: number,
  ): Promise<ChatCrmRow[]> {
    const result: ChatCrmRow[] = [];
    for (let i = 0; i < chatIds.length; i += CHUNK) {
      const ids = chatIds.slice(i, i + CHUNK);
      if (ids.length === 0) continue;
      const rows = await this.db
        .selectFrom('chats')
        .innerJoin('crm_connections as cc', (join) => join.on('cc.workspace_id', '=', workspaceId))
        .leftJoin('sync_chats as sc', (join) =>
          join.onRef('sc.chat_id', '=', 'chats.id').onRef('sc.connection_id', '=', 'cc.id'),
        )
        .select([
          'chats.id as chat_id_',
          'cc.id as connection_id_',
          crmStateSql(windowStart).as('state'),
          ...SYNC_CHAT_COLUMNS,
        ])
        .where('chats.id', 'in', ids)
        .orderBy('cc.created_at')
        .execute();
      for (const row of rows) {
        result.push({
          chatId: row.chat_id_,
          connectionId: row.connection_id_,
          state: row.state,
          sync: row.chat_id === null ? undefined : toChatState(row as unknown as Selectable<SyncChatTable>),
        });
      }
    }
    return result;
  }

  /** How many of the workspace's chats are in each state on the connection. */
  async countStates(
    connectionId: string,
    workspaceId: string,
    windowStart: number,
  ): Promise<Record<CrmChatState, number>> {
    // Grouped outside: Postgres does not see two parameterised CASEs as one expression.
    const states = this.db
      .selectFrom('chats')
      .innerJoin('accounts', 'accounts.id', 'chats.account_id')
      .leftJoin('sync_chats as sc', (join) =>
        join.onRef('sc.chat_id', '=', 'chats.id').on('sc.connection_id', '=', connectionId),
      )
      .select(crmStateSql(windowStart).as('state'))
      .where('accounts.workspace_id', '=', workspaceId);
    const rows = await this.db
      .selectFrom(states.as('t'))
      .select(['t.state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('t.state')
      .execute();
    const counts = Object.fromEntries(CRM_CHAT_STATES.map((s) => [s, 0])) as Record<CrmChatState, number>;
    for (const row of rows) counts[row.state] = Number(row.n);
    return counts;
  }

  /** The workspace's chats in a state on the connection, most recent conversation first. */
  async chatsInState(
    connectionId: string,
    workspaceId: string,
    state: CrmChatState,
    windowStart: number,
    limit: number,
  ): Promise<{ chatId: string; sync: ChatSyncState | undefined }[]> {
    const rows = await this.db
      .selectFrom('chats')
      .innerJoin('accounts', 'accounts.id', 'chats.account_id')
      .leftJoin('sync_chats as sc', (join) =>
        join.onRef('sc.chat_id', '=', 'chats.id').on('sc.connection_id', '=', connectionId),
      )
      .select(['chats.id as chat_id_', ...SYNC_CHAT_COLUMNS])
      .where('accounts.workspace_id', '=', workspaceId)
      .where(crmStateSql(windowStart), '=', state)
      .orderBy(sql`coalesce(chats.last_message_at, 0)`, 'desc')
      .orderBy('chats.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      chatId: row.chat_id_,
      sync: row.chat_id === null ? undefined : toChatState(row as unknown as Selectable<SyncChatTable>),
    }));
  }

  async countByStatus(connectionId: string): Promise<Record<ChatSyncStatus, number>> {
    const rows = await this.db
      .selectFrom('sync_chats')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('connection_id', '=', connectionId)
      .groupBy('status')
      .execute();
    const counts: Record<ChatSyncStatus, number> = {
      synced: 0,
      unmatched: 0,
      failed: 0,
      pending: 0,
      excluded: 0,
      outside_window: 0,
    };
    for (const row of rows) counts[row.status as ChatSyncStatus] = Number(row.n);
    return counts;
  }
}

export interface ChatCrmRow {
  chatId: string;
  connectionId: string;
  state: CrmChatState;
  /** The sync's own row, where a run has looked at the chat. */
  sync: ChatSyncState | undefined;
}

function toChatState(row: Selectable<SyncChatTable>): ChatSyncState {
  return {
    chatId: row.chat_id,
    status: row.status as ChatSyncStatus,
    reason: row.reason ?? undefined,
    syncedThrough: row.synced_through ?? undefined,
    checkedAt: new Date(row.checked_at),
    retryAt: row.retry_at ?? undefined,
    lastSyncedAt: row.last_synced_at === null ? undefined : new Date(row.last_synced_at),
  };
}
