/**
 * The files of a sync run's days: uploaded one by one after their transcripts (each once: ledger,
 * then the CRM's own key), or handed with the transcript to a destination that takes them inline;
 * a file the CRM does not take is recorded as refused.
 */
import type { Chat } from '../core/model.js';
import { CrmError, type InlineAttachment, type RefusedAttachment } from '../crms/types.js';
import type { Store } from '../store/index.js';
import type { Intent, LedgerEntry } from '../store/repositories/sync-ledger.js';
import type { DayWrite } from './day-writes.js';
import type { Target } from './resolve.js';
import { type ChatPlan, callOptions, type RunContext } from './run-context.js';
import type { DayTranscript, TranscriptAttachment } from './transcript.js';

/** What the file steps use of the engine: its store and clock, and its retry rules. */
export interface DayFilesEngine {
  readonly store: Store;
  readonly clock: () => number;
  retryDelay(entry: LedgerEntry | undefined, error: CrmError): number;
  noteRetry(context: RunContext, at: number | undefined): void;
}

/** Uploads the files of every day that is in the CRM, each once (ledger, then the CRM's own key). */
export async function uploadFiles(
  engine: DayFilesEngine,
  context: RunContext,
  plans: readonly ChatPlan[],
): Promise<void> {
  if (context.destination.capabilities.attachments === 'inline') return;
  const maxBytes = context.destination.capabilities.maxAttachmentBytes;
  for (const chatPlan of plans) {
    for (const plan of chatPlan.targets) {
      for (const day of plan.days) {
        const ref = day.ref;
        if (ref === undefined || (day.outcome !== 'done' && day.outcome !== 'unchanged')) continue;
        const files = day.transcript.attachments.filter((file) => file.state === 'stored');
        if (files.length === 0) continue;
        const media = mediaOf(day.transcript);
        const keys = files.map((file) => fileKey(file, plan.target.record.id));
        const entries = await engine.store.ledger.get(context.connectionId, keys);
        for (const [i, file] of files.entries()) {
          const key = keys[i] as string;
          const entry = entries.get(key);
          if (entry?.state === 'done' || entry?.state === 'rejected') continue;
          if (entry?.state === 'failed' && (entry.nextAttemptAt?.getTime() ?? 0) > engine.clock()) {
            day.outcome = 'waiting';
            engine.noteRetry(context, entry.nextAttemptAt?.getTime());
            continue;
          }
          const sha256 = media.get(file.mediaId);
          if (sha256 === undefined || (file.sizeBytes ?? 0) > maxBytes) {
            await refuseFile(engine, context, chatPlan.chat, plan.target, day, file, key);
            continue;
          }
          await context.guard?.confirm();
          await engine.store.ledger.recordIntents(context.connectionId, [
            fileIntent(chatPlan.chat, plan.target, day, file, key, sha256),
          ]);
          try {
            const uploaded = await context.destination.uploadAttachment(
              {
                transcript: ref,
                record: { type: plan.target.record.type, id: plan.target.record.id },
                key,
                fileName: file.fileName,
                mimeType: file.mimeType ?? 'application/octet-stream',
                sizeBytes: file.sizeBytes ?? 0,
                open: () => engine.store.blobs.open(sha256),
                description: `WhatsApp, from ${file.senderName}, ${file.sentAt.toISOString()}`,
              },
              callOptions(context),
            );
            await engine.store.ledger.markDone(context.connectionId, [
              { key, ref: { id: uploaded.id, related: {} } },
            ]);
            context.summary.filesUploaded++;
          } catch (error) {
            if (!(error instanceof CrmError)) throw error;
            const retryAt =
              error.kind === 'rejected' ? undefined : engine.clock() + engine.retryDelay(entry, error);
            await engine.store.ledger.markFailed(context.connectionId, [
              {
                key,
                error: `${error.code}: ${error.message}`,
                retryAt,
                outcomeUnknown: error.outcomeUnknown,
              },
            ]);
            if (retryAt === undefined) context.summary.rejected++;
            else {
              context.summary.failed++;
              day.outcome = 'failed';
              day.error = `${error.code}: ${error.message}`;
              engine.noteRetry(context, retryAt);
            }
            if (error.kind !== 'rejected') throw error;
          }
        }
      }
    }
  }
}

/**
 * The day's files for a destination that takes them with the transcript: every stored one it
 * accepts; a file larger than it takes is recorded as refused (once), left out, and named to the
 * destination, which says in the transcript why it is not there.
 */
export async function inlineAttachments(
  engine: DayFilesEngine,
  context: RunContext,
  chat: Chat,
  target: Target,
  day: DayWrite,
): Promise<{ accepted: InlineAttachment[]; refused: RefusedAttachment[] }> {
  const maxBytes = context.destination.capabilities.maxAttachmentBytes;
  const attachments: InlineAttachment[] = [];
  const refused: RefusedAttachment[] = [];
  for (const file of day.transcript.attachments) {
    const sha256 = file.sha256;
    if (file.state !== 'stored' || sha256 === undefined) continue;
    const key = fileKey(file, target.record.id);
    if ((file.sizeBytes ?? 0) > maxBytes) {
      const entry = (await engine.store.ledger.get(context.connectionId, [key])).get(key);
      if (entry?.state !== 'rejected') await refuseFile(engine, context, chat, target, day, file, key);
      refused.push({
        fileName: file.fileName,
        sizeBytes: file.sizeBytes ?? 0,
        senderName: file.senderName,
        time: file.time,
        reason: 'too_large',
      });
      continue;
    }
    attachments.push({
      key,
      fileName: file.fileName,
      mimeType: file.mimeType ?? 'application/octet-stream',
      sizeBytes: file.sizeBytes ?? 0,
      senderName: file.senderName,
      time: file.time,
      open: () => engine.store.blobs.open(sha256),
    });
  }
  return { accepted: attachments, refused };
}

/** Records a file the CRM does not take (too large, or its bytes are gone) as refused: not retried. */
async function refuseFile(
  engine: DayFilesEngine,
  context: RunContext,
  chat: Chat,
  target: Target,
  day: DayWrite,
  file: TranscriptAttachment,
  key: string,
): Promise<void> {
  await context.guard?.confirm();
  await engine.store.ledger.recordIntents(context.connectionId, [
    fileIntent(chat, target, day, file, key, file.sha256 ?? ''),
  ]);
  await engine.store.ledger.markFailed(context.connectionId, [
    {
      key,
      error: `FILE_TOO_LARGE: ${file.fileName} is larger than ${context.crmName} accepts`,
      retryAt: undefined,
    },
  ]);
  context.summary.rejected++;
}

function fileIntent(
  chat: Chat,
  target: Target,
  day: DayWrite,
  file: TranscriptAttachment,
  key: string,
  sha256: string,
): Intent {
  return {
    key,
    kind: 'file',
    chatId: chat.id,
    record: { type: target.record.type, id: target.record.id },
    day: day.day,
    messageId: file.sourceMessageId,
    contentHash: sha256,
    messageCount: 0,
  };
}

export function fileKey(file: TranscriptAttachment, recordId: string): string {
  return `${file.mediaId}:${recordId}`;
}

export function mediaOf(transcript: DayTranscript): Map<string, string | undefined> {
  return new Map(transcript.attachments.map((file) => [file.mediaId, file.sha256]));
}
