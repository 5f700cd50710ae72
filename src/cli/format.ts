/** Plain-text pieces of the CLI's human output: counts, times and tables. */

import { count } from '../core/words.js';

export { count };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How far `at` is from `now`, in words: `3 min ago`, `in 2 min`, `just now`, `5 days ago`. */
export function relative(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  const size = Math.abs(ms);
  if (size < MINUTE) return ms <= 0 ? 'just now' : 'in under a minute';
  let amount: string;
  if (size < HOUR) amount = `${Math.floor(size / MINUTE)} min`;
  else if (size < 2 * DAY) {
    const hours = Math.floor(size / HOUR);
    const minutes = Math.floor((size % HOUR) / MINUTE);
    amount = `${hours} h${minutes > 0 && hours < 10 ? ` ${minutes} min` : ''}`;
  } else amount = count(Math.floor(size / DAY), 'day');
  return ms < 0 ? `${amount} ago` : `in ${amount}`;
}

/** `2026-03-01 14:05` in the time zone. */
export function localTime(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export interface Clock {
  now: Date;
  /** The workspace's time zone. */
  timeZone: string;
}

/**
 * A time for people: `2026-03-01 14:05 (3 min ago)` in the workspace's time zone; `fallback` (such as
 * `never`) when there is none. Takes a Date or the ISO text `status --json` carries.
 */
export function when(at: Date | string | null | undefined, clock: Clock, fallback = 'never'): string {
  if (at === null || at === undefined) return fallback;
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return String(at);
  return `${localTime(date, clock.timeZone)} (${relative(date, clock.now)})`;
}

/**
 * Columns padded to their widest cell under a header row, two spaces apart; numbers right-aligned.
 * No index column, no box drawing: it reads in any terminal and greps line by line.
 */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const numeric = headers.map(
    (_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  const cells = [headers, ...rows].map((row) => headers.map((_, column) => String(row[column] ?? '')));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => [...(row[column] ?? '')].length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => {
          const pad = ' '.repeat((widths[column] ?? 0) - [...cell].length);
          return numeric[column] ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
