import type { ActiveChat } from './active-chat';

/** Marks the messages wa-js-bridge posts on WhatsApp Web's window, among the page's own. */
export const BRIDGE_SOURCE = 'wasync-wa-js';

/** What the wa-js bridge tells the content script: it is ready, or which chat is open now. */
export type BridgeMessage = { type: 'ready' } | { type: 'chat'; chat: ActiveChat | undefined };
