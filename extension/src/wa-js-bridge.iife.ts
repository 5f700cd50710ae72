/**
 * Runs in WhatsApp Web's own page (the MAIN world), registered only while the rep has turned on "Read
 * the open chat with wa-js" (background.ts). wa-js reads WhatsApp Web's state from its own modules,
 * which name the open chat by its ids even where the page's markup does not. Each reading is posted
 * to the extension's content script on this window (wa-js-chat.ts); nothing leaves the page.
 */
import '@wppconnect/wa-js';
import type { ActiveChat, ChatParty } from './active-chat';

type ChatModel = ReturnType<typeof import('@wppconnect/wa-js').chat.getActiveChat>;

import { BRIDGE_SOURCE, type BridgeMessage } from './wa-js-protocol';

/** wa-js's bundle sets itself on the window as `WPP` (it has no module exports). */
const WPP = (self as unknown as { WPP: typeof import('@wppconnect/wa-js') }).WPP;

function post(message: BridgeMessage): void {
  window.postMessage({ source: BRIDGE_SOURCE, ...message }, window.location.origin);
}

/** The parts of a WhatsApp id wa-js hands out (its Wid) that are read here. */
interface WidLike {
  server?: string;
  user?: string;
  _serialized?: string;
}

async function party(wid: WidLike | undefined): Promise<ChatParty | undefined> {
  if (!wid?.user) return undefined;
  const found: ChatParty = wid.server === 'lid' ? { lid: `${wid.user}@lid` } : { phone: wid.user };
  try {
    // WhatsApp pairs a lid with its number where the person shared it, and has their name.
    const entry = await WPP.contact.getPnLidEntry(wid._serialized ?? `${wid.user}@${wid.server}`);
    if (entry.phoneNumber?.id) found.phone = entry.phoneNumber.id.replace(/@.*$/, '');
    if (entry.lid?.id) found.lid = entry.lid.id.includes('@') ? entry.lid.id : `${entry.lid.id}@lid`;
    const name = entry.contact?.name ?? entry.contact?.pushname ?? entry.contact?.verifiedName;
    if (name) found.name = name;
  } catch {
    // An id WhatsApp has no entry for: what the id says is all there is.
  }
  return found;
}

async function reading(chat: ChatModel | null | undefined): Promise<ActiveChat | undefined> {
  if (!chat) return undefined;
  const id = chat.id as unknown as WidLike;
  const me = (WPP.conn.getMyUserId() as unknown as WidLike | undefined)?.user;
  const own = me ? { ownPhone: me } : {};
  const title = (chat as unknown as { formattedTitle?: string; name?: string }).formattedTitle;
  if (id.server === 'g.us') {
    const members = await WPP.group.getParticipants(id._serialized ?? '').catch(() => []);
    const participants: ChatParty[] = [];
    for (const member of members) {
      const known = await party(member.id as unknown as WidLike);
      if (known && known.phone !== me) participants.push(known);
    }
    return {
      type: 'group',
      groupId: id._serialized ?? `${id.user}@g.us`,
      participants,
      ...own,
      ...(title ? { title } : {}),
    };
  }
  const partner = await party(id);
  if (!partner) return undefined;
  return { type: 'direct', partner, ...own, ...(title ? { title } : {}) };
}

let latest = 0;
async function report(chat: ChatModel | null | undefined): Promise<void> {
  // A slow reading of a chat since left must not overwrite the newer one.
  const turn = ++latest;
  const found = await reading(chat);
  if (turn === latest) post({ type: 'chat', chat: found });
}

WPP.loader.onReady(() => {
  post({ type: 'ready' });
  void report(WPP.chat.getActiveChat());
  WPP.on('chat.active_chat', (chat) => void report(chat));
});
