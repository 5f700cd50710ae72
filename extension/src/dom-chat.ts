/**
 * The open chat as WhatsApp Web's markup shows it: the `page` source of the active-chat contract. It
 * reads only the DOM and localStorage, so the content script uses it and the tests run it in a plain
 * page (no extension APIs here).
 *
 * What it relies on, as public descriptions of WhatsApp Web tell it (a December 2024 "WhatsApp Web DOM
 * Reference Guide" of an assistant extension, the selectors of open-source WhatsApp Web extensions and
 * bookmarklets on GitHub, whatsapp-web.js's and wa-js's `MsgKey` for the id's parts):
 *
 * - the open chat is the `#main` element, made anew each time a chat opens; its `header` shows the
 *   title (a `span[dir="auto"]`, the name, or the number for an unknown contact) and a second line
 *   (`span[title]`), for a group its members, "Alice, Bob, You", once they have loaded;
 * - each message row carries `data-id`, the serialized message key `<fromMe>_<chat jid>_<key id>`, in
 *   groups with `_<participant jid>` after it; jids are `<digits>@c.us` (a number), `<digits>@lid` (a
 *   linked id hiding the number) and `<id>@g.us` (a group);
 * - the row's `.copyable-text` has `data-pre-plain-text="[10:31, 12/4/2026] Alice: "`, the sender as the
 *   page names them;
 * - localStorage `last-wid-md` holds the signed-in number as a JSON string `"<digits>:<device>@c.us"`
 *   (`last-wid`, `"<digits>@c.us"`, in older sessions).
 *
 * WhatsApp Web changes its markup without notice; every step here gives up quietly (fewer details, or
 * no chat), never throws.
 */
import { type ActiveChat, type ActiveChatSource, type ChatParty, sameChat } from './active-chat.js';

/** How long a burst of page changes is gathered before the chat is read again. */
const SETTLE_MS = 100;

/** The words the group subtitle uses for the signed-in person, in the languages reps use most. */
const SELF_WORDS = new Set([
  'you',
  'du',
  'tú',
  'tu',
  'vous',
  'você',
  'voi',
  'jij',
  'jy',
  'ty',
  'sen',
  'вы',
  'ты',
]);

const isSelfWord = (name: string) => SELF_WORDS.has(name.toLocaleLowerCase());

/** Direction marks and isolates WhatsApp Web puts around numbers and names. */
const INVISIBLE = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const clean = (text: string | null | undefined): string =>
  (text ?? '').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();

/** The digits of a number as the page writes it ("+49 170 1234567"), or undefined if the text is none. */
export function phoneFromText(text: string | null | undefined): string | undefined {
  const value = clean(text);
  if (!/^\+?[\d ().-]+$/.test(value)) return undefined;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 6 && digits.length <= 15 ? digits : undefined;
}

export interface MessageKey {
  fromMe: boolean;
  /** The chat's jid. */
  remote: string;
  /** WhatsApp's id of the message (the key id), e.g. `3EB0C431D4C1E9A8F1`. */
  id: string;
  /** In a group, the sender's jid. */
  participant?: string;
}

const JID = '[^_@\\s]+@[a-z.]+';
const KEY = new RegExp(`^(true|false)_(${JID})_([^_]+)(?:_(${JID}))?$`);

/** The parts of a row's `data-id`, or undefined when it is not a message key. */
export function parseMessageKey(dataId: string): MessageKey | undefined {
  const match = KEY.exec(dataId.trim());
  if (!match?.[2] || !match[3]) return undefined;
  const key: MessageKey = { fromMe: match[1] === 'true', remote: match[2], id: match[3] };
  if (match[4]) key.participant = match[4];
  return key;
}

/** A person's jid as a party: a number (`@c.us`, `@s.whatsapp.net`) or a linked id (`@lid`). */
function partyFromJid(jid: string): ChatParty | undefined {
  const [user = '', server] = jid.split('@');
  const digits = user.split(':')[0] ?? '';
  if (!/^\d+$/.test(digits)) return undefined;
  if (server === 'c.us' || server === 's.whatsapp.net') return { phone: digits };
  if (server === 'lid') return { lid: `${digits}@lid` };
  return undefined;
}

/** The header's title and second line. */
function readHeader(main: Element): { title?: string; subtitle?: string } {
  const header = main.querySelector('header');
  if (!header) return {};
  const spans = [...header.querySelectorAll('span[dir="auto"], span[title]')].filter(
    (span) => !span.querySelector('span[dir="auto"], span[title]'),
  );
  const texts = spans.map((span) => clean(span.textContent) || clean(span.getAttribute('title')));
  const [title, subtitle] = [...new Set(texts.filter(Boolean))];
  return { ...(title ? { title } : {}), ...(subtitle ? { subtitle } : {}) };
}

interface MessageRow {
  key: MessageKey;
  /** The sender as `data-pre-plain-text` names them. */
  sender?: string;
}

const PRE_PLAIN = /^\[[^\]]*\]\s?(.*?):\s*$/;

function readRows(main: Element): MessageRow[] {
  const rows: MessageRow[] = [];
  for (const element of main.querySelectorAll('[data-id]')) {
    const key = parseMessageKey(element.getAttribute('data-id') ?? '');
    if (!key) continue;
    const pre = element.querySelector('[data-pre-plain-text]')?.getAttribute('data-pre-plain-text');
    const sender = clean(PRE_PLAIN.exec(pre ?? '')?.[1]).replace(/^~\s*/, '');
    rows.push(sender ? { key, sender } : { key });
  }
  return rows;
}

/** The signed-in number from localStorage, or undefined (no session, or storage not readable). */
export function readOwnPhone(storage: Storage | undefined): string | undefined {
  for (const name of ['last-wid-md', 'last-wid']) {
    try {
      const value = storage?.getItem(name)?.replace(/"/g, '').trim();
      const digits = value && /^(\d{6,15})[:@]/.exec(value)?.[1];
      if (digits) return digits;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The subtitle's names when it is a member list ("Alice, Bob, You"), else undefined. */
function memberNames(subtitle: string | undefined): string[] | undefined {
  const names = (subtitle ?? '').split(',').map(clean).filter(Boolean);
  return names.length >= 2 ? names : undefined;
}

/** One party per person, keys in one order, sorted: equal readings stringify equal (`sameChat`). */
function tidyParties(parties: ChatParty[]): ChatParty[] {
  const keyOf = (p: ChatParty) => p.phone ?? p.lid ?? `~${p.name ?? ''}`;
  return parties
    .map((p) => ({
      ...(p.phone ? { phone: p.phone } : {}),
      ...(p.lid ? { lid: p.lid } : {}),
      ...(p.name ? { name: p.name } : {}),
    }))
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

function readParticipants(rows: MessageRow[], subtitle: string | undefined): ChatParty[] {
  const parties: ChatParty[] = [];
  const byJid = new Map<string, ChatParty>();
  for (const row of rows) {
    const jid = row.key.participant;
    if (row.key.fromMe || !jid) continue;
    let party = byJid.get(jid);
    if (!party) {
      party = partyFromJid(jid);
      if (!party) continue;
      byJid.set(jid, party);
      parties.push(party);
    }
    // An unsaved sender is named by their number: that gives a linked id its number.
    const senderPhone = phoneFromText(row.sender);
    if (senderPhone) party.phone ??= senderPhone;
    else if (row.sender) party.name ??= row.sender;
  }
  for (const name of memberNames(subtitle) ?? []) {
    if (isSelfWord(name)) continue;
    const phone = phoneFromText(name);
    if (phone ? parties.some((p) => p.phone === phone) : parties.some((p) => p.name === name)) continue;
    parties.push(phone ? { phone } : { name });
  }
  return tidyParties(parties);
}

function readOrThrow(doc: Document, storage: Storage | undefined): ActiveChat | undefined {
  const main = doc.getElementById('main');
  if (!main) return undefined;
  const { title, subtitle } = readHeader(main);
  const rows = readRows(main);
  if (!title && rows.length === 0) return undefined;
  const ownPhone = readOwnPhone(storage);
  const remotes = [...new Set(rows.map((row) => row.key.remote))];
  const groupId = remotes.find((remote) => remote.endsWith('@g.us'));
  const named = { ...(title ? { title } : {}) };
  const own = ownPhone ? { ownPhone } : {};

  // A group whose messages have not shown yet is known only by its member list, which names the rep
  // too ("…, You"): that tells it from a direct chat's "last seen 12/4/2026, 10:31".
  const listsSelf = memberNames(subtitle)?.some(isSelfWord) ?? false;
  if (groupId || (rows.length === 0 && listsSelf)) {
    const participants = readParticipants(rows, subtitle);
    return {
      type: 'group',
      ...named,
      ...(groupId ? { groupId } : {}),
      ...(participants.length > 0 ? { participants } : {}),
      ...own,
    };
  }

  const parties = remotes.map(partyFromJid);
  // Broadcast lists, channels and status updates are no chat with a person.
  if (parties.some((party) => party === undefined)) return undefined;
  const titlePhone = phoneFromText(title);
  const phone = parties.find((p) => p?.phone)?.phone ?? titlePhone;
  const lid = parties.find((p) => p?.lid)?.lid;
  const name = title && !titlePhone ? title : undefined;
  const partner = tidyParties([
    { ...(phone ? { phone } : {}), ...(lid ? { lid } : {}), ...(name ? { name } : {}) },
  ])[0];
  return {
    type: 'direct',
    ...named,
    ...(partner && Object.keys(partner).length > 0 ? { partner } : {}),
    ...own,
  };
}

/** The chat open in `doc` now, or undefined when none is (or the page cannot be read). */
export function readActiveChat(doc: Document, storage?: Storage): ActiveChat | undefined {
  try {
    return readOrThrow(doc, storage);
  } catch {
    return undefined;
  }
}

function pageStorage(doc: Document): Storage | undefined {
  try {
    return doc.defaultView?.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page source: reads `doc` when asked, and while anyone listens watches the whole document
 * (WhatsApp Web replaces `#main` on each chat switch, so watching it would lose track), reading again
 * at most every SETTLE_MS and telling listeners only when the reading changed.
 */
export function pageChatSource(doc: Document, storage?: Storage): ActiveChatSource {
  const listeners = new Set<(chat: ActiveChat | undefined) => void>();
  const read = () => readActiveChat(doc, storage ?? pageStorage(doc));
  let last: ActiveChat | undefined;
  let observer: MutationObserver | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const check = () => {
    timer = undefined;
    const next = read();
    if (sameChat(next, last)) return;
    last = next;
    for (const listener of [...listeners]) {
      try {
        listener(next);
      } catch {
        // One listener's failure must not keep the others from the new chat.
      }
    }
  };
  // Not reset by later changes: a page that never stops changing is still read every SETTLE_MS.
  const schedule = () => {
    timer ??= setTimeout(check, SETTLE_MS);
  };

  const start = () => {
    last = read();
    observer = new MutationObserver(schedule);
    observer.observe(doc.documentElement, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-id', 'title', 'data-pre-plain-text'],
    });
  };
  const stop = () => {
    observer?.disconnect();
    observer = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  return {
    kind: 'page',
    current: read,
    subscribe(listener) {
      if (listeners.size === 0) start();
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && observer) stop();
      };
    },
  };
}
