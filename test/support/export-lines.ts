/** Lines of an Android chat export, written in a test, with dates whose order no reader can mistake. */

const DAY = 86_400_000;

/** Midnight UTC of a day at least `days` ago whose day of the month is past 12 (so it reads day first). */
export function plainDayAgo(days: number, now = Date.now()): Date {
  for (let d = days; ; d++) {
    const at = new Date(now - d * DAY);
    if (at.getUTCDate() > 12)
      return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  }
}

/** An Android export line, day first, in UTC: `14/05/2026, 09:00 - Ana: text`. */
export function exportLine(at: Date, author: string, text: string): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${at.getUTCFullYear()}, ${two(at.getUTCHours())}:${two(at.getUTCMinutes())} - ${author}: ${text}`;
}
