import type { ActiveChat } from './active-chat';
import type { PageMessage } from './dom-messages';

/**
 * The content script and the sidebar frame talk over a MessageChannel whose port the content script
 * hands to the frame once it has loaded (posted to the extension's origin only).
 */
export const CONNECT = 'wasync:connect';

/**
 * From the content script: the chat open now and where it was read from; and, while the rep has
 * capture turned on, the text messages of the open chat not handed over before.
 */
export type ToSidebar =
  | { type: 'chat'; chat: ActiveChat | undefined; via: 'page' | 'wa-js' }
  | { type: 'messages'; messages: PageMessage[] };

/** From the sidebar: fold it away (the toolbar button brings it back). */
export type FromSidebar = { type: 'hide' };

/** The sidebar's width, in CSS pixels: WhatsApp Web's own layout is narrowed by as much. */
export const SIDEBAR_WIDTH = 360;
