/**
 * Wall-clock readings of an instant in a time zone, which is where a transcript's day is cut. Offsets
 * are never computed by hand: Intl knows each zone's history, so DST switches (a day of 23 or 25
 * hours, a day whose midnight does not exist) come out right.
 */

export interface LocalTime {
  /** Calendar date, `YYYY-MM-DD`. */
  day: string;
  /** `HH:mm`, 24-hour. */
  time: string;
  /** `HH.mm.ss`, for made-up file names that should not collide within a minute. */
  clock: string;
}

/** Building a DateTimeFormat costs far more than using one, and a sync pass uses a handful of zones. */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = formatterFor(timeZone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((candidate) => candidate.type === type)?.value ?? '00';
  const year = part('year').padStart(4, '0');
  const hour = part('hour');
  const minute = part('minute');
  return {
    day: `${year}-${part('month')}-${part('day')}`,
    time: `${hour}:${minute}`,
    clock: `${hour}.${minute}.${part('second')}`,
  };
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      // `hour12: false` prints midnight as "24" in some ICU versions; h23 always gives "00".
      hourCycle: 'h23',
      numberingSystem: 'latn',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}
