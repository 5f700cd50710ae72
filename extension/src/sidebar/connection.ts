import type { PageMessage } from '../dom-messages';
import { CONNECT, type FromSidebar, type ToSidebar } from '../sidebar-protocol';

export type ChatReport = Extract<ToSidebar, { type: 'chat' }>;
type Listener<T> = (value: T) => void;

/**
 * The sidebar's end of the content script's channel. It listens from the moment the page's script
 * runs, before React has rendered anything: the content script hands the port over as soon as the
 * frame has loaded, and a port handed to no listener would be lost.
 */
class Connection {
  private port: MessagePort | undefined;
  latest: ChatReport | undefined;
  private readonly chatListeners = new Set<Listener<ChatReport>>();
  private readonly messageListeners = new Set<Listener<PageMessage[]>>();
  /** Messages handed over while nobody listened yet (the sidebar still signing in): kept for the first. */
  private unheard: PageMessage[] = [];

  constructor() {
    window.addEventListener('message', (event) => {
      // Only the page this frame sits in (WhatsApp Web, where the content script runs) hands a port.
      if (event.source !== window.parent || event.data?.type !== CONNECT || !event.ports[0]) return;
      this.port?.close();
      this.port = event.ports[0];
      this.port.onmessage = (message: MessageEvent<ToSidebar>) => this.heard(message.data);
    });
  }

  private heard(data: ToSidebar | undefined): void {
    if (data?.type === 'chat') {
      this.latest = data;
      for (const listener of this.chatListeners) listener(data);
    } else if (data?.type === 'messages') {
      if (this.messageListeners.size === 0) this.unheard.push(...data.messages);
      for (const listener of this.messageListeners) listener(data.messages);
    }
  }

  onChat(listener: Listener<ChatReport>): () => void {
    this.chatListeners.add(listener);
    return () => this.chatListeners.delete(listener);
  }

  /** The messages the content script hands over while capture is on (those not heard yet at once). */
  onMessages = (listener: Listener<PageMessage[]>): (() => void) => {
    this.messageListeners.add(listener);
    if (this.unheard.length > 0) listener(this.unheard.splice(0));
    return () => this.messageListeners.delete(listener);
  };

  send(message: FromSidebar): void {
    this.port?.postMessage(message);
  }
}

export const connection = new Connection();
