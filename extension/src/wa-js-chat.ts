import { type ActiveChat, type ActiveChatSource, sameChat } from './active-chat';
import { BRIDGE_SOURCE, type BridgeMessage } from './wa-js-protocol';

/**
 * The open chat as wa-js reads it (wa-js-bridge.iife.ts, in the page's MAIN world), heard in the
 * content script through the page's window. `ready` is false until the bridge has said wa-js found
 * WhatsApp Web's modules: until then, and if it never does (WhatsApp changed beneath it), the content
 * script keeps reading the page.
 */
export interface WaJsChatSource extends ActiveChatSource {
  ready(): boolean;
  /** Calls `listener` once wa-js is ready (at once if it is). */
  onReady(listener: () => void): void;
  stop(): void;
}

export function waJsChatSource(win: Window): WaJsChatSource {
  let isReady = false;
  let chat: ActiveChat | undefined;
  const listeners = new Set<(chat: ActiveChat | undefined) => void>();
  const readyListeners: (() => void)[] = [];
  const heard = (event: MessageEvent) => {
    // Only what this window posted to itself, marked as the bridge's.
    if (event.source !== win || event.origin !== win.location.origin) return;
    const data = event.data as ({ source?: unknown } & Partial<BridgeMessage>) | null;
    if (!data || data.source !== BRIDGE_SOURCE) return;
    if (data.type === 'ready') {
      isReady = true;
      for (const listener of readyListeners.splice(0)) listener();
    } else if (data.type === 'chat') {
      const next = data.chat ?? undefined;
      if (sameChat(chat, next)) return;
      chat = next;
      for (const listener of listeners) listener(chat);
    }
  };
  win.addEventListener('message', heard);
  return {
    kind: 'wa-js',
    ready: () => isReady,
    onReady(listener) {
      if (isReady) listener();
      else readyListeners.push(listener);
    },
    current: () => chat,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: () => win.removeEventListener('message', heard),
  };
}
