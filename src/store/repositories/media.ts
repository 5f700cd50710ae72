import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';

export interface PendingMedia {
  id: string;
  sourceUrl: string;
  attempts: number;
  /** When the media row was stored (epoch ms): where a source's lifetime for its media ids starts. */
  createdAt: number;
}

/** Download state of media that arrived as a URL: pending until fetched, failed after the last retry. */
export class MediaRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Bytes of media the workspace's messages hold, each stored file counted once (blobs are stored once
   * per content): what the storage quota measures.
   */
  async storedBytes(workspaceId: string): Promise<number> {
    const files = this.db
      .selectFrom('media')
      .innerJoin('messages', 'messages.id', 'media.message_id')
      .innerJoin('accounts', 'accounts.id', 'messages.account_id')
      .where('accounts.workspace_id', '=', workspaceId)
      .where('media.sha256', 'is not', null)
      .select(['media.sha256', 'media.size_bytes'])
      .distinct()
      .as('files');
    const row = await this.db
      .selectFrom(files)
      .select((eb) => eb.fn.sum<number | string | null>('files.size_bytes').as('bytes'))
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }

  /** Whether any message's media are these bytes (blobs are stored once per content, shared by all). */
  async usesBlob(sha256: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('media')
      .select('id')
      .where('sha256', '=', sha256)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Claims up to `limit` due downloads by pushing their next attempt `leaseMs` into the future, so
   * another process polling at the same time skips them; a crash simply lets the lease run out.
   */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<PendingMedia[]> {
    const due = await this.db
      .selectFrom('media')
      .select(['id', 'source_url', 'attempts', 'next_attempt_at', 'created_at'])
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: PendingMedia[] = [];
    for (const row of due) {
      const result = await this.db
        .updateTable('media')
        .set({ next_attempt_at: now + leaseMs })
        .where('id', '=', row.id)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1 && row.source_url) {
        claimed.push({
          id: row.id,
          sourceUrl: row.source_url,
          attempts: row.attempts,
          createdAt: Number(row.created_at),
        });
      }
    }
    return claimed;
  }

  async markStored(
    id: string,
    blob: { sha256: string; sizeBytes: number; mimeType: string | undefined },
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('media')
        .set((eb) => ({
          state: 'stored',
          sha256: blob.sha256,
          size_bytes: blob.sizeBytes,
          mime_type: eb.fn.coalesce('mime_type', eb.val(blob.mimeType ?? null)),
          failure: null,
          next_attempt_at: null,
          updated_at: Date.now(),
        }))
        .where('id', '=', id)
        .execute();
      await stampChanged(trx, id);
    });
  }

  /**
   * Makes every download of media whose source URL starts with `prefix` due at `now`, its retry delays
   * starting over: pending ones wait no longer, failed ones are tried again, except those whose failure
   * is one of `keepFailed` (no new setting can change it). Returns how many were re-queued.
   */
  async requeueBySource(prefix: string, now: number, keepFailed: readonly string[] = []): Promise<number> {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    let query = this.db
      .updateTable('media')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
      .where((eb) => eb.or([eb('state', '=', 'pending'), eb('state', '=', 'failed')]))
      .where(sql<boolean>`source_url like ${pattern} escape '\\'`);
    if (keepFailed.length > 0)
      query = query.where((eb) =>
        eb.or([
          eb('state', '=', 'pending'),
          eb('failure', 'is', null),
          eb('failure', 'not in', [...keepFailed]),
        ]),
      );
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Records a failed attempt; `retryAt` undefined means the download has failed for good. */
  async markAttemptFailed(id: string, failure: string, retryAt: number | undefined): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('media')
        .set((eb) => ({
          state: retryAt === undefined ? 'failed' : 'pending',
          attempts: eb('attempts', '+', 1),
          failure,
          next_attempt_at: retryAt ?? null,
          updated_at: Date.now(),
        }))
        .where('id', '=', id)
        .execute();
      // Failing for good changes the transcript's attachment line; a retry to come does not.
      if (retryAt === undefined) await stampChanged(trx, id);
    });
  }
}

/** The message and chat of this media changed: the sync engine rewrites the day (and uploads the file). */
async function stampChanged(db: Kysely<Database>, mediaId: string): Promise<void> {
  const now = Date.now();
  const row = await db.selectFrom('media').select('message_id').where('id', '=', mediaId).executeTakeFirst();
  if (!row) return;
  const message = await db
    .updateTable('messages')
    .set({ changed_at: now })
    .where('id', '=', row.message_id)
    .returning('chat_id')
    .executeTakeFirst();
  if (message)
    await db
      .updateTable('chats')
      .set((eb) => ({ changed_at: now, change_seq: eb('change_seq', '+', 1) }))
      .where('id', '=', message.chat_id)
      .execute();
}
