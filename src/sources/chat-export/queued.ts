import fs from 'node:fs';
import os, { hostname } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import { BackgroundPass } from '../../core/background-pass.js';
import { WasyncError } from '../../core/errors.js';
import type { Workspace } from '../../core/model.js';
import type { CountryCode } from '../../core/phone.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { Store } from '../../store/index.js';
import type { ImportJob, ImportProgressState } from '../../store/repositories/imports.js';
import type { ImportProgress, ImportSummary } from './import.js';
import { importUpload } from './upload.js';

/** How long a claim lasts without a heartbeat: a worker that died leaves its import for this long. */
const CLAIM_MS = 2 * 60_000;
/** Claims an import may take (each worker that died mid-import used one) before it is given up. */
const MAX_ATTEMPTS = 3;
/** How soon an import that failed unexpectedly (the database or the blob store away) is tried again. */
const RETRY_MS = 15_000;

export interface QueuedImportsOptions {
  store: Store;
  ingest: IngestPipeline;
  config: Config;
  workspace: Workspace;
  logger: Logger;
  /** This process's name on its claims. */
  owner?: string;
  claimMs?: number;
  /** The sweep's period: imports queued while no job reached a worker are found by it. */
  pollMs?: number;
  /** How soon an import that failed unexpectedly is tried again (by any worker). */
  retryMs?: number;
  now?: () => number;
}

/**
 * Chat-export uploads imported in the background (scale mode): the API process stores the upload in
 * the blob store and queues a row in `imports`; a worker's pass claims each queued import (or one whose
 * worker died, once its claim ran out), streams the upload to a temp file, imports it as the
 * synchronous route does, and stores the summary or the error. A bad export ends `failed` with its
 * `export_*` code and stores nothing, as the synchronous route refuses it.
 */
export class QueuedImports {
  readonly owner: string;
  private readonly loop: BackgroundPass;
  private readonly claimMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: QueuedImportsOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}`;
    this.claimMs = options.claimMs ?? CLAIM_MS;
    this.retryMs = options.retryMs ?? RETRY_MS;
    this.now = options.now ?? (() => Date.now());
    this.loop = new BackgroundPass(() => this.drain(), {
      pollMs: options.pollMs ?? 30_000,
      onError: (error) => this.options.logger.error({ err: error }, 'import pass failed'),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Runs every import there is to run, one at a time; returns how many were run. */
  async drain(): Promise<number> {
    let ran = 0;
    for (;;) {
      const job = await this.options.store.imports.claimNext(this.owner, this.now(), this.claimMs);
      if (!job) return ran;
      ran++;
      await this.run(job);
    }
  }

  private async run(job: ImportJob): Promise<void> {
    const { store, logger } = this.options;
    const log = logger.child({ importId: job.id, accountId: job.accountId, attempt: job.attempts });
    if (job.attempts > MAX_ATTEMPTS) {
      await this.end(job, {
        state: 'failed',
        code: 'internal_error',
        message: `The import was interrupted ${job.attempts - 1} times (its worker stopped); it was given up.`,
      });
      log.warn('import given up after its workers stopped');
      return;
    }
    let latest: ImportProgressState | undefined;
    let beating: Promise<unknown> = Promise.resolve();
    // The heartbeat keeps the claim while the import goes on, and records how far it is (each second).
    const timer = setInterval(
      () => {
        beating = store.imports
          .heartbeat(job.id, this.owner, this.now() + this.claimMs, latest)
          .catch((error: unknown) => log.warn({ err: error }, 'import heartbeat failed'));
      },
      Math.max(50, Math.min(1_000, Math.floor(this.claimMs / 4))),
    );
    let outcome:
      | { state: 'done'; summary: unknown }
      | { state: 'failed'; code: string; message: string }
      | undefined;
    try {
      const summary = await this.importBlob(job, (progress) => {
        latest = { phase: progress.phase, done: progress.done, total: progress.total };
      });
      outcome = { state: 'done', summary };
      log.info({ messages: summary.messages }, 'import done');
    } catch (error) {
      if (error instanceof WasyncError) {
        outcome = { state: 'failed', code: error.code, message: error.message };
        log.info({ code: error.code }, 'import refused');
      } else if (job.attempts < MAX_ATTEMPTS) {
        // Not the file's fault (the database or the blob store was away): an import stores all of a
        // chat or nothing, and its message ids come from the content, so trying again is safe. Its
        // claim now runs out soon, and the next pass of any worker takes it again.
        log.warn({ err: error }, 'import failed; it will be tried again');
      } else {
        outcome = {
          state: 'failed',
          code: 'internal_error',
          message: 'The import failed unexpectedly; the worker log has the details.',
        };
        log.error({ err: error }, 'import failed');
      }
    } finally {
      clearInterval(timer);
      await beating;
    }
    if (outcome) await this.end(job, outcome);
    else await store.imports.heartbeat(job.id, this.owner, this.now() + this.retryMs, latest);
  }

  /** Stores how the import ended and, once no import waits for them, lets its upload's bytes go. */
  private async end(
    job: ImportJob,
    outcome: { state: 'done'; summary: unknown } | { state: 'failed'; code: string; message: string },
  ): Promise<void> {
    const { store } = this.options;
    if (!(await store.imports.finish(job.id, this.owner, this.now(), outcome))) return;
    // Blobs are stored once per content: the same bytes may be a message's media, or another
    // upload of the same file still waiting.
    const { sha256 } = job.blob;
    if (!(await store.media.usesBlob(sha256)) && !(await store.imports.blobPending(sha256)))
      await store.blobs.remove(sha256);
  }

  /** The upload, streamed from the blob store to a temp file, imported with the options it was posted with. */
  private async importBlob(
    job: ImportJob,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<ImportSummary & { accountId: string }> {
    const { store, workspace, config } = this.options;
    const account = await store.accounts.get(workspace.id, job.accountId);
    if (!account) throw new WasyncError('not_found', `No account ${job.accountId}.`);
    const settings = await store.workspaces.settings(workspace.id);
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'wasync-import-'));
    const file = path.join(dir, 'upload');
    try {
      await pipeline(store.blobs.open(job.blob.sha256), fs.createWriteStream(file));
      const summary = await importUpload(this.options, file, account, job.options, {
        defaultRegion: (settings.defaultRegion as CountryCode | undefined) ?? config.defaultRegion,
        onProgress,
      });
      return { accountId: account.id, ...summary };
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  }
}
