/**
 * A run's summary in words, one line: what `wasync sync --once` prints, what `wasync status` shows
 * of the last run, and what the workspace shows when a run ends (the API carries the same line).
 */
import { count } from '../core/words.js';
import type { RunSummary } from './queue.js';

/** One line: what a run looked at and what it wrote. */
export function describeSummary(summary: RunSummary): string {
  const parts = [
    `${count(summary.chats, 'chat')} (${summary.matched} matched, ${summary.unmatched} unmatched)`,
    ...(summary.linksFound > 0 ? [`${summary.linksFound} linked by phone`] : []),
    `transcripts ${summary.transcriptsWritten} written, ${summary.transcriptsUnchanged} unchanged`,
    count(summary.filesUploaded, 'file'),
    `${summary.failed} failed, ${summary.rejected} rejected`,
    ...(summary.recovered > 0 ? [`${summary.recovered} recovered`] : []),
  ];
  const took = Date.parse(summary.finishedAt) - Date.parse(summary.startedAt);
  return `${parts.join('; ')} (${seconds(took)})`;
}

/** A duration as people read it: whole minutes, or seconds. */
export function seconds(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
