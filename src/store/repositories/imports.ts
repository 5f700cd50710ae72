import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import { type Database, type ImportTable, readJson } from '../schema.js';

export type ImportState = 'queued' | 'running' | 'done' | 'failed';

/** What the upload was posted with; the time zone already resolved (the query's, else the workspace's). */
export interface ImportRequestOptions {
  chatWith: string | undefined;
  me: string | undefined;
  chatName: string | undefined;
  fileName: string | undefined;
  timeZone: string;
  dateOrder: string | undefined;
  toCrm: boolean;
}

export interface ImportProgressState {
  phase: string;
  done: number;
  total: number;
}

/** A chat-export upload imported in the background (scale mode). */
export interface ImportJob {
  id: string;
  accountId: string;
  state: ImportState;
  options: ImportRequestOptions;
  blob: { sha256: string; sizeBytes: number };
  /** The phase under way and how far it is; undefined before the import starts. */
  progress: ImportProgressState | undefined;
  /** The import's summary, once done (the same as the synchronous answer's). */
  summary: unknown;
  error: { code: string; message: string } | undefined;
  requestedBy: string | undefined;
  attempts: number;
  createdAt: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  claim: { owner: string; until: Date } | undefined;
}

/** The imports table: queued uploads, their claims by workers, and how each ended. */
export class ImportRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: {
    accountId: string;
    options: ImportRequestOptions;
    blob: { sha256: string; sizeBytes: number };
    requestedBy: string | undefined;
    now: number;
  }): Promise<ImportJob> {
    const id = newId('imp');
    await this.db
      .insertInto('imports')
      .values({
        id,
        account_id: input.accountId,
        state: 'queued',
        chat_with: input.options.chatWith ?? null,
        me: input.options.me ?? null,
        chat_name: input.options.chatName ?? null,
        file_name: input.options.fileName ?? null,
        time_zone: input.options.timeZone,
        date_order: input.options.dateOrder ?? null,
        to_crm: input.options.toCrm ? 1 : 0,
        blob_sha256: input.blob.sha256,
        blob_size: input.blob.sizeBytes,
        requested_by: input.requestedBy ?? null,
        attempts: 0,
        created_at: input.now,
      })
      .execute();
    const created = await this.get(input.accountId, id);
    if (!created) throw new Error(`import ${id} vanished`);
    return created;
  }

  /** The account's import; undefined for an unknown id or another account's. */
  async get(accountId: string, id: string): Promise<ImportJob | undefined> {
    const row = await this.db
      .selectFrom('imports')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row ? toImport(row) : undefined;
  }

  /** The account's latest imports, newest first. */
  async recent(accountId: string, limit: number): Promise<ImportJob[]> {
    const rows = await this.db
      .selectFrom('imports')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toImport);
  }

  /**
   * Claims the oldest import to run: a queued one, or a running one whose claim ran out (its worker
   * died). The claim is taken with a compare-and-set on the row's claim, so two workers never both
   * get it; each claim counts as an attempt.
   */
  async claimNext(owner: string, now: number, claimMs: number): Promise<ImportJob | undefined> {
    for (;;) {
      const candidate = await this.db
        .selectFrom('imports')
        .select(['id', 'account_id', 'state', 'claim_until'])
        .where((eb) =>
          eb.or([
            eb('state', '=', 'queued'),
            eb.and([eb('state', '=', 'running'), eb('claim_until', '<=', now)]),
          ]),
        )
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) return undefined;
      const result = await this.db
        .updateTable('imports')
        .set((eb) => ({
          state: 'running',
          claimed_by: owner,
          claim_until: now + claimMs,
          attempts: eb('attempts', '+', 1),
          started_at: eb.fn.coalesce('started_at', eb.val(now)),
        }))
        .where('id', '=', candidate.id)
        .where('state', '=', candidate.state)
        .where((eb) =>
          candidate.claim_until === null
            ? eb('claim_until', 'is', null)
            : eb('claim_until', '=', candidate.claim_until),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return this.get(candidate.account_id, candidate.id);
      // Another worker took it first: look for the next one.
    }
  }

  /** Extends the owner's claim and records the progress; false when the claim is no longer its own. */
  async heartbeat(
    id: string,
    owner: string,
    until: number,
    progress: ImportProgressState | undefined,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('imports')
      .set({
        claim_until: until,
        ...(progress
          ? { progress_phase: progress.phase, progress_done: progress.done, progress_total: progress.total }
          : {}),
      })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('claimed_by', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Ends the import, done with its summary or failed with its error, if the owner still holds it
   * (a worker whose claim was taken over leaves the ending to the one that took it).
   */
  async finish(
    id: string,
    owner: string,
    now: number,
    outcome: { state: 'done'; summary: unknown } | { state: 'failed'; code: string; message: string },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('imports')
      .set({
        state: outcome.state,
        summary: outcome.state === 'done' ? JSON.stringify(outcome.summary) : null,
        error_code: outcome.state === 'failed' ? outcome.code : null,
        error_message: outcome.state === 'failed' ? outcome.message : null,
        finished_at: now,
        claimed_by: null,
        claim_until: null,
      })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('claimed_by', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Whether an import not yet finished still needs these bytes (two uploads of one file share them). */
  async blobPending(sha256: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('imports')
      .select('id')
      .where('blob_sha256', '=', sha256)
      .where('state', 'in', ['queued', 'running'])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function toImport(row: Selectable<ImportTable>): ImportJob {
  const at = (value: number | null) => (value === null ? undefined : new Date(Number(value)));
  return {
    id: row.id,
    accountId: row.account_id,
    state: row.state as ImportState,
    options: {
      chatWith: row.chat_with ?? undefined,
      me: row.me ?? undefined,
      chatName: row.chat_name ?? undefined,
      fileName: row.file_name ?? undefined,
      timeZone: row.time_zone,
      dateOrder: row.date_order ?? undefined,
      toCrm: row.to_crm === 1,
    },
    blob: { sha256: row.blob_sha256, sizeBytes: Number(row.blob_size) },
    progress:
      row.progress_phase === null
        ? undefined
        : {
            phase: row.progress_phase,
            done: Number(row.progress_done ?? 0),
            total: Number(row.progress_total ?? 0),
          },
    summary: row.summary === null ? undefined : readJson<unknown>(row.summary),
    error: row.error_code === null ? undefined : { code: row.error_code, message: row.error_message ?? '' },
    requestedBy: row.requested_by ?? undefined,
    attempts: row.attempts,
    createdAt: new Date(Number(row.created_at)),
    startedAt: at(row.started_at),
    finishedAt: at(row.finished_at),
    claim:
      row.claimed_by === null || row.claim_until === null
        ? undefined
        : { owner: row.claimed_by, until: new Date(Number(row.claim_until)) },
  };
}
