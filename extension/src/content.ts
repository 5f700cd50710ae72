/**
 * The content script on WhatsApp Web: puts the sidebar (an extension page, sidebar.html) beside the
 * chat, narrows WhatsApp Web's layout by its width, and tells it which chat is open. The chat is read
 * from the page's markup (dom-chat.ts) or, once the rep has turned it on and it has loaded, from
 * wa-js (wa-js-chat.ts). This script never talks to wasync: the sidebar does, from the extension's
 * own origin, with the rep's token.
 */
import type { ActiveChat, ActiveChatSource } from './active-chat';
import { pageChatSource } from './dom-chat';
import { readMessages } from './dom-messages';
import { onSettingsChanged, readSettings, type Settings, writeSettings } from './settings';
import { CONNECT, type FromSidebar, SIDEBAR_WIDTH, type ToSidebar } from './sidebar-protocol';
import { waJsChatSource } from './wa-js-chat';

const FRAME_ID = 'wasync-sidebar';
const OPEN_CLASS = 'wasync-sidebar-open';

/** Makes room for the sidebar: WhatsApp Web's app fills the page, less the sidebar's width. */
function addLayoutStyle(): void {
  const style = document.createElement('style');
  style.id = `${FRAME_ID}-layout`;
  style.textContent = `
    html.${OPEN_CLASS} body { width: calc(100% - ${SIDEBAR_WIDTH}px) !important; min-width: 0 !important; }
    html.${OPEN_CLASS} #app { width: 100% !important; max-width: calc(100vw - ${SIDEBAR_WIDTH}px) !important; }
  `;
  document.head.append(style);
}

function createFrame(): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.id = FRAME_ID;
  frame.title = 'wasync: CRM card';
  frame.src = chrome.runtime.getURL('sidebar.html');
  Object.assign(frame.style, {
    position: 'fixed',
    top: '0',
    right: '0',
    width: `${SIDEBAR_WIDTH}px`,
    height: '100vh',
    border: '0',
    borderLeft: '1px solid #d1d7db',
    zIndex: '2147483647',
    background: '#f7f8fa',
    colorScheme: 'light',
  });
  return frame;
}

function start(): void {
  if (document.getElementById(FRAME_ID)) return;
  addLayoutStyle();
  const frame = createFrame();
  document.documentElement.append(frame);

  const page = pageChatSource(document, window.localStorage);
  const waJs = waJsChatSource(window);
  let useWaJs = false;
  /** wa-js once it is turned on and has loaded; the page's markup otherwise. */
  const source = (): ActiveChatSource => (useWaJs && waJs.ready() ? waJs : page);

  let port: MessagePort | undefined;
  const send = (chat: ActiveChat | undefined) => {
    const message: ToSidebar = { type: 'chat', chat, via: source().kind };
    port?.postMessage(message);
  };
  const follow = (from: ActiveChatSource) => (chat: ActiveChat | undefined) => {
    if (source() === from) send(chat);
  };
  page.subscribe(follow(page));
  waJs.subscribe(follow(waJs));
  waJs.onReady(() => send(source().current()));

  // Each load of the frame (the extension reloaded, say) gets a new channel.
  frame.addEventListener('load', () => {
    const channel = new MessageChannel();
    port?.close();
    port = channel.port1;
    port.onmessage = (event: MessageEvent<FromSidebar>) => {
      if (event.data?.type === 'hide') void writeSettings({ sidebarHidden: true });
    };
    const extensionOrigin = new URL(chrome.runtime.getURL('')).origin;
    frame.contentWindow?.postMessage({ type: CONNECT }, extensionOrigin, [channel.port2]);
    send(source().current());
    // A new sidebar has heard of nothing: what the page shows is handed over again (wasync keeps each once).
    handed.clear();
    if (capturing) handOver();
  });

  // Capture while open: the text rows of the open chat, each handed to the sidebar once, as they show.
  const handed = new Set<string>();
  let capturing: MutationObserver | undefined;
  let settle: ReturnType<typeof setTimeout> | undefined;
  const handOver = () => {
    const fresh = readMessages(document, navigator.language).filter((message) => !handed.has(message.id));
    if (fresh.length === 0 || !port) return;
    for (const message of fresh) handed.add(message.id);
    port.postMessage({ type: 'messages', messages: fresh } satisfies ToSidebar);
  };
  const capture = (on: boolean) => {
    if (on === !!capturing) return;
    if (!on) {
      capturing?.disconnect();
      capturing = undefined;
      return;
    }
    capturing = new MutationObserver(() => {
      clearTimeout(settle);
      settle = setTimeout(handOver, 500);
    });
    capturing.observe(document.body, { childList: true, subtree: true, characterData: true });
    handOver();
  };

  const apply = (settings: Settings) => {
    const changedSource = useWaJs !== !!settings.useWaJs;
    useWaJs = !!settings.useWaJs;
    const shown = !settings.sidebarHidden;
    frame.style.display = shown ? 'block' : 'none';
    document.documentElement.classList.toggle(OPEN_CLASS, shown);
    if (changedSource) send(source().current());
    capture(!!settings.capture);
  };
  void readSettings().then(apply);
  onSettingsChanged(apply);
}

start();
