import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import type { RecordType } from '../../core/model.js';
import { type Database, readJson, type SyncWriteTable } from '../schema.js';

export type WriteKind = 'transcript' | 'file';

/** intent: sent or about to be, outcome unknown; failed: will be retried; rejected: the CRM refused it. */
export type WriteState = 'intent' | 'done' | 'failed' | 'rejected';

export interface LedgerEntry {
  key: string;
  kind: WriteKind;
  chatId: string;
  record: { type: RecordType; id: string };
  day: string | undefined;
  messageId: string | undefined;
  state: WriteState;
  contentHash: string;
  /** Where the write landed in the CRM (a TranscriptRef, or `{ id }` of a file). */
  ref: { id: string; related: Record<string, string> } | undefined;
  messageCount: number;
  attempts: number;
  lastError: string | undefined;
  /** The last attempt failed after it may have reached the CRM: look it up before writing again. */
  outcomeUnknown: boolean;
  nextAttemptAt: Date | undefined;
  writtenAt: Date | undefined;
  updatedAt: Date;
}

export interface Intent {
  key: string;
  kind: WriteKind;
  chatId: string;
  record: { type: RecordType; id: string };
  day?: string | undefined;
  messageId?: string | undefined;
  contentHash: string;
  messageCount: number;
}

const CHUNK = 400;

/**
 * The ledger of CRM writes, one row per write key and connection. A write is recorded as an intent
 * before it is sent and as done (with where it landed) after; cursors move only once it is done.
 */
export class SyncLedgerRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(connectionId: string, keys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const entries = new Map<string, LedgerEntry>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('sync_writes')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('write_key', 'in', unique.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) entries.set(row.write_key, toEntry(row));
    }
    return entries;
  }

  /** The transcript writes of a chat on a record, by day. */
  async transcriptsFor(
    connectionId: string,
    chatId: string,
    recordId: string,
    days: readonly string[],
  ): Promise<Map<string, LedgerEntry>> {
    const entries = new Map<string, LedgerEntry>();
    const unique = [...new Set(days)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('sync_writes')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('chat_id', '=', chatId)
        .where('record_id', '=', recordId)
        .where('kind', '=', 'transcript')
        .where('day', 'in', unique.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) if (row.day !== null) entries.set(row.day, toEntry(row));
    }
    return entries;
  }

  /** Records that these writes are about to be sent; the ref of an earlier write is kept. */
  async recordIntents(connectionId: string, intents: readonly Intent[]): Promise<void> {
    if (intents.length === 0) return;
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (const intent of intents) {
        await trx
          .insertInto('sync_writes')
          .values({
            id: newId('wr'),
            connection_id: connectionId,
            write_key: intent.key,
            kind: intent.kind,
            chat_id: intent.chatId,
            record_type: intent.record.type,
            record_id: intent.record.id,
            day: intent.day ?? null,
            message_id: intent.messageId ?? null,
            state: 'intent',
            content_hash: intent.contentHash,
            ref: null,
            message_count: intent.messageCount,
            attempts: 1,
            last_error: null,
            next_attempt_at: null,
            written_at: null,
            updated_at: now,
          })
          .onConflict((oc) =>
            oc.columns(['connection_id', 'write_key']).doUpdateSet((eb) => ({
              state: 'intent',
              content_hash: intent.contentHash,
              message_count: intent.messageCount,
              attempts: eb('sync_writes.attempts', '+', 1),
              updated_at: now,
            })),
          )
          .execute();
      }
    });
  }

  async markDone(
    connectionId: string,
    done: readonly { key: string; ref: { id: string; related: Record<string, string> } }[],
  ): Promise<void> {
    if (done.length === 0) return;
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (const { key, ref } of done) {
        await trx
          .updateTable('sync_writes')
          .set({
            state: 'done',
            ref: JSON.stringify(ref),
            attempts: 0,
            last_error: null,
            outcome_unknown: 0,
            next_attempt_at: null,
            written_at: now,
            updated_at: now,
          })
          .where('connection_id', '=', connectionId)
          .where('write_key', '=', key)
          .execute();
      }
    });
  }

  /**
   * `retryAt` undefined: the CRM refused this input, so it waits for new content or a person.
   * `outcomeUnknown`: the attempt may have reached the CRM (a timeout, a connection cut after sending).
   */
  async markFailed(
    connectionId: string,
    failed: readonly { key: string; error: string; retryAt: number | undefined; outcomeUnknown?: boolean }[],
  ): Promise<void> {
    if (failed.length === 0) return;
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (const { key, error, retryAt, outcomeUnknown } of failed) {
        await trx
          .updateTable('sync_writes')
          .set((eb) => ({
            state: retryAt === undefined ? 'rejected' : 'failed',
            last_error: error,
            // Once an attempt may have reached the CRM, the write stays in doubt until one is done.
            outcome_unknown: outcomeUnknown ? 1 : eb.ref('sync_writes.outcome_unknown'),
            next_attempt_at: retryAt ?? null,
            updated_at: now,
          }))
          .where('connection_id', '=', connectionId)
          .where('write_key', '=', key)
          .execute();
      }
    });
  }

  /** A chat's writes that are not done yet (failed, refused, or of unknown outcome). */
  async openFor(connectionId: string, chatId: string): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom('sync_writes')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('chat_id', '=', chatId)
      .where('state', '!=', 'done')
      .execute();
    return rows.map(toEntry);
  }

  /** Writes that are not done, for the sync status: failures first, newest first. */
  async problems(connectionId: string, limit: number): Promise<LedgerEntry[]> {
    const rows = await this.db
      .selectFrom('sync_writes')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .where('state', '!=', 'done')
      .orderBy('updated_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  async counts(connectionId: string): Promise<Record<WriteState, number>> {
    const rows = await this.db
      .selectFrom('sync_writes')
      .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('connection_id', '=', connectionId)
      .groupBy('state')
      .execute();
    const counts: Record<WriteState, number> = { intent: 0, done: 0, failed: 0, rejected: 0 };
    for (const row of rows) counts[row.state as WriteState] = Number(row.n);
    return counts;
  }

  /** A person asked to try refused or failed writes again: they become due now. Answers their chats. */
  async retryProblems(connectionId: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('sync_writes')
      .set({ state: 'failed', next_attempt_at: Date.now(), updated_at: Date.now() })
      .where('connection_id', '=', connectionId)
      .where('state', 'in', ['failed', 'rejected'])
      .returning('chat_id')
      .execute();
    return [...new Set(rows.map((row) => row.chat_id))];
  }
}

function toEntry(row: Selectable<SyncWriteTable>): LedgerEntry {
  return {
    key: row.write_key,
    kind: row.kind as WriteKind,
    chatId: row.chat_id,
    record: { type: row.record_type === 'lead' ? 'lead' : 'contact', id: row.record_id },
    day: row.day ?? undefined,
    messageId: row.message_id ?? undefined,
    state: row.state as WriteState,
    contentHash: row.content_hash,
    ref: row.ref === null ? undefined : readJson<LedgerEntry['ref']>(row.ref),
    messageCount: row.message_count,
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
    outcomeUnknown: Number(row.outcome_unknown) === 1,
    nextAttemptAt: row.next_attempt_at === null ? undefined : new Date(row.next_attempt_at),
    writtenAt: row.written_at === null ? undefined : new Date(row.written_at),
    updatedAt: new Date(row.updated_at),
  };
}
