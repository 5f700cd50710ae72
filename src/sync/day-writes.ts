/**
 * What a sync run writes for one chat-day on one record: its key, its content hash, and what the
 * ledger says of it; plus the pure helpers the engine plans writes with.
 */
import { createHash } from 'node:crypto';
import type { Chat } from '../core/model.js';
import type { TranscriptRef } from '../crms/types.js';
import type { Intent, LedgerEntry } from '../store/repositories/sync-ledger.js';
import type { RunSummary } from './queue.js';
import type { Target } from './resolve.js';
import type { DayTranscript } from './transcript.js';

export interface DayWrite {
  day: string;
  key: string;
  transcript: DayTranscript;
  hash: string;
  entry: LedgerEntry | undefined;
  /** Where the transcript is in the CRM once written (or from an earlier write). */
  ref: TranscriptRef | undefined;
  outcome: 'unchanged' | 'write' | 'done' | 'failed' | 'rejected' | 'waiting';
  error: string | undefined;
  retryAt: number | undefined;
}

export function planDay(
  entry: LedgerEntry | undefined,
  day: { day: string; key: string; transcript: DayTranscript; hash: string },
  now: number,
): DayWrite {
  const base = { ...day, entry, ref: entry?.ref, error: entry?.lastError, retryAt: undefined };
  if (entry?.state === 'done' && entry.contentHash === day.hash) return { ...base, outcome: 'unchanged' };
  // A refused write is tried again only when the content changed (or a person asked to retry).
  if (entry?.state === 'rejected' && entry.contentHash === day.hash) return { ...base, outcome: 'rejected' };
  if (entry?.state === 'failed' && (entry.nextAttemptAt?.getTime() ?? 0) > now) {
    return { ...base, outcome: 'waiting', retryAt: entry.nextAttemptAt?.getTime() };
  }
  return { ...base, outcome: 'write' };
}

/**
 * An attempt was cut off (a crash mid-call, a timeout, a server error on the write): the CRM may hold
 * what it sent. The ledger keeps the CrmError's flag, not its wording.
 */
export function outcomeUnknown(entry: LedgerEntry | undefined): boolean {
  if (entry === undefined) return false;
  if (entry.state === 'intent') return true;
  return entry.state !== 'done' && entry.outcomeUnknown;
}

export function transcriptIntent(chat: Chat, target: Target, day: DayWrite): Intent {
  return {
    key: day.key,
    kind: 'transcript',
    chatId: chat.id,
    record: { type: target.record.type, id: target.record.id },
    day: day.day,
    contentHash: day.hash,
    messageCount: day.transcript.messageCount,
  };
}

/**
 * The external key of a chat-day on a record: stable, readable in the CRM, unique across workspaces
 * (chat ids are UUIDv7s).
 */
export function transcriptKey(chatId: string, recordId: string, day: string): string {
  return `${chatId}:${recordId}:${day}`;
}

export function contentHash(target: Target, chat: Chat, transcript: DayTranscript): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        target.record.type,
        target.record.id,
        chat.kind,
        chat.title ?? null,
        transcript.content,
        transcript.messageCount,
        transcript.firstMessageAt.getTime(),
        transcript.lastMessageAt.getTime(),
      ]),
    )
    .digest('base64url');
}

export function emptySummary(startedAt: number): RunSummary {
  return {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(startedAt).toISOString(),
    chats: 0,
    matched: 0,
    unmatched: 0,
    linksFound: 0,
    transcriptsWritten: 0,
    transcriptsUnchanged: 0,
    filesUploaded: 0,
    failed: 0,
    rejected: 0,
    recovered: 0,
    stoppedBy: undefined,
  };
}
