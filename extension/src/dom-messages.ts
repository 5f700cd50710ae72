/**
 * The text messages of the open chat as WhatsApp Web's markup shows them, for "capture while open":
 * each row's WhatsApp message id (the key id in its `data-id`), direction, sender, time and text. Like
 * dom-chat.ts it reads only the DOM and gives up quietly on anything it does not recognise.
 *
 * Only plain text is taken. wasync keeps the first copy of a message it receives, so a photo taken from
 * the page as its caption alone would keep the linked device's copy, with the photo, out: rows that
 * show media are left to the linked device.
 */
import { parseMessageKey } from './dom-chat';

/** A message row read off the page. */
export interface PageMessage {
  /** WhatsApp's id of the message (the key id), as a linked device stores it too. */
  id: string;
  fromMe: boolean;
  /** The chat's jid: `<digits>@c.us`, `<digits>@lid` or `<id>@g.us`. */
  chat: string;
  /** In a group, the sender's jid. */
  participant?: string;
  /** The sender as the page names them. */
  sender?: string;
  /** ISO 8601 with the browser's offset, to the minute (what the page shows). */
  timestamp: string;
  text: string;
}

/** `[10:31, 12/4/2026] Alice: `: the time, the date and the sender. */
const PRE_PLAIN = /^\[([^,\]]+),\s*([^\]]+)\]\s?(.*?):\s*$/;

/** Elements that show a row is media (a photo, video, voice note, document), not text alone. */
const MEDIA =
  'img[src^="blob:"], img[src^="data:image/jpeg"], video, audio, a[href^="blob:"], [data-icon*="audio"], [data-icon*="ptt"], [data-icon*="document"], [data-icon*="video"], [data-icon*="media"]';

/**
 * The order day, month and year come in the browser's locale: WhatsApp Web writes dates in it
 * ("12/4/2026" in en-US is 4 December, "4.12.2026" in de-DE too).
 */
export function dateOrder(locale: string): ('day' | 'month' | 'year')[] {
  const parts = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric', year: 'numeric' })
    .formatToParts(new Date(2026, 11, 24))
    .map((part) => part.type)
    .filter(
      (type): type is 'day' | 'month' | 'year' => type === 'day' || type === 'month' || type === 'year',
    );
  return parts.length === 3 ? parts : ['month', 'day', 'year'];
}

/** The time and date of a row's `data-pre-plain-text` as ISO 8601 with the browser's offset. */
export function parsePrePlainTime(time: string, date: string, locale: string): string | undefined {
  const clock = /(\d{1,2})[:.](\d{2})(?:[:.]\d{2})?\s*([ap])?\.?\s*m?\.?/i.exec(time.trim());
  const numbers = date.match(/\d+/g);
  if (!clock || !numbers || numbers.length !== 3) return undefined;
  const order = dateOrder(locale);
  const value = (part: 'day' | 'month' | 'year') => Number(numbers[order.indexOf(part)]);
  let hours = Number(clock[1]);
  const meridiem = clock[3]?.toLowerCase();
  if (meridiem === 'p' && hours < 12) hours += 12;
  if (meridiem === 'a' && hours === 12) hours = 0;
  const year = value('year') < 100 ? 2000 + value('year') : value('year');
  const at = new Date(year, value('month') - 1, value('day'), hours, Number(clock[2]));
  // A day or month out of range rolls over in Date: such a date was not one.
  if (Number.isNaN(at.getTime()) || at.getDate() !== value('day') || at.getMonth() !== value('month') - 1)
    return undefined;
  return withOffset(at);
}

/** A local time as ISO 8601 with its offset (`2026-12-04T10:31:00+01:00`): what the ingest takes. */
function withOffset(at: Date): string {
  const offset = -at.getTimezoneOffset();
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:00` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** The text rows of the open chat (`#main`), oldest first as the page lists them. */
export function readMessages(doc: Document, locale: string): PageMessage[] {
  const main = doc.getElementById('main');
  if (!main) return [];
  const found: PageMessage[] = [];
  for (const row of main.querySelectorAll('[data-id]')) {
    try {
      const key = parseMessageKey(row.getAttribute('data-id') ?? '');
      if (!key?.id || row.querySelector(MEDIA)) continue;
      const copyable = row.querySelector('.copyable-text[data-pre-plain-text]');
      const pre = PRE_PLAIN.exec(copyable?.getAttribute('data-pre-plain-text') ?? '');
      const textElement = copyable?.querySelector('.selectable-text') ?? copyable;
      const text = textElement?.textContent?.trim();
      if (!pre?.[1] || !pre[2] || !text) continue;
      const timestamp = parsePrePlainTime(pre[1], pre[2], locale);
      if (!timestamp) continue;
      const sender = pre[3]?.trim();
      found.push({
        id: key.id,
        fromMe: key.fromMe,
        chat: key.remote,
        ...(key.participant ? { participant: key.participant } : {}),
        ...(sender ? { sender } : {}),
        timestamp,
        text,
      });
    } catch {
      // A row in a shape not seen before is left out; the others still count.
    }
  }
  return found;
}
