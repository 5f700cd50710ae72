/**
 * Where a chat stands with a CRM connection, as the workspace shows it, in one SQL definition that the
 * chat list (its badge and its filter), the Unmatched page and the Sync page's counts all use, so that
 * they never disagree:
 *
 * - `excluded`: on the exclusion list, never written;
 * - `failed`: the last run could not write some of it (the reason is kept; it is tried again);
 * - `not_in_crm`: nobody of the chat has a record, or nothing of it is within what goes to the CRM;
 * - `in_crm`: everything that goes to the CRM is there (the last run settled the chat as it is now);
 * - `waiting`: something changed since, or it was never looked at: the next run takes it.
 *
 * A chat no run has looked at and that has not changed within the backfill window is `not_in_crm`: no
 * run takes it until something changes.
 */
import { type RawBuilder, sql } from 'kysely';

export const CRM_CHAT_STATES = ['in_crm', 'waiting', 'failed', 'not_in_crm', 'excluded'] as const;
export type CrmChatState = (typeof CRM_CHAT_STATES)[number];

/**
 * The state of `chats` (the chat row) against `sc` (its sync_chats row on the connection, left-joined,
 * so possibly null); `windowStart` is the start of the backfill window now.
 */
export function crmStateSql(windowStart: number): RawBuilder<CrmChatState> {
  return sql<CrmChatState>`case
    when sc.status = 'excluded' then 'excluded'
    when sc.status = 'failed' then 'failed'
    when sc.status in ('unmatched', 'outside_window') and sc.seen_seq = chats.change_seq then 'not_in_crm'
    when sc.status = 'synced' and sc.seen_seq = chats.change_seq then 'in_crm'
    when sc.chat_id is null and chats.changed_at < ${windowStart} then 'not_in_crm'
    else 'waiting'
  end`;
}

/** `exists` a connection of the workspace (or the one named) on which the chat is in `state`. */
export function chatInStateSql(
  workspaceId: string,
  state: CrmChatState,
  windowStart: number,
  connectionId?: string,
): RawBuilder<boolean> {
  return sql<boolean>`exists (
    select 1 from crm_connections cc
    left join sync_chats sc on sc.connection_id = cc.id and sc.chat_id = chats.id
    where cc.workspace_id = ${workspaceId}
      ${connectionId === undefined ? sql`` : sql`and cc.id = ${connectionId}`}
      and ${crmStateSql(windowStart)} = ${state}
  )`;
}

/** Counts by state with the API's (camelCase) names, as the Sync page and `wasync status --json` give them. */
export function stateCounts(counts: Record<CrmChatState, number>): {
  inCrm: number;
  waiting: number;
  failed: number;
  notInCrm: number;
  excluded: number;
} {
  return {
    inCrm: counts.in_crm,
    waiting: counts.waiting,
    failed: counts.failed,
    notInCrm: counts.not_in_crm,
    excluded: counts.excluded,
  };
}
