import type {
  AuthenticationState,
  Contact,
  GroupMetadata,
  makeEventBuffer,
  proto,
  WAMessage,
  WAMessageKey,
} from 'baileys';
import type { Logger } from 'pino';
import { ensureLibraryPatched } from './library-patch.js';

/** The library's event emitter, as its socket hands it out (`process` batches events). */
export type SocketEvents = ReturnType<typeof makeEventBuffer>;

/**
 * What a linked-device session uses of the library's socket, and nothing more: events in, the few
 * queries a capture-only session makes (pairing code, history on demand, groups, media re-upload).
 * Nothing here sends a message, a read receipt or a presence.
 */
export interface CaptureSocket {
  ev: SocketEvents;
  /** Every frame received raises `frame`: the watchdog's sign of life. */
  ws: { on(event: 'frame', listener: () => void): unknown };
  user: Contact | undefined;
  end(error: Error | undefined): void;
  logout(message?: string): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  fetchMessageHistory(count: number, oldestKey: WAMessageKey, oldestTimestampMs: number): Promise<string>;
  groupFetchAllParticipating(): Promise<Record<string, GroupMetadata>>;
  /** One group's metadata (subject and participants): what a change notice about it is followed by. */
  groupMetadata(jid: string): Promise<GroupMetadata>;
  updateMediaMessage(message: WAMessage): Promise<WAMessage>;
}

export interface SocketOptions {
  /** Creds and signal keys (the session wraps its stored keys in the library's cache once). */
  auth: AuthenticationState;
  /** The stored content of a message, which the library asks for to decrypt poll votes and retries. */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
  logger: Logger;
}

/** Makes a socket: the library's own in production, a fake one in tests. */
export type SocketFactory = (options: SocketOptions) => Promise<CaptureSocket>;

/**
 * The library's socket, set up to capture only: offline to the rep's contacts (no "online" shown),
 * no read receipts, full history asked for at pairing (a desktop browser name is what makes the phone
 * send it), status broadcasts and channels ignored. `url` points it at another server than WhatsApp's.
 */
export function librarySocketFactory(config: { url?: string | undefined }): SocketFactory {
  return async ({ auth, getMessage, logger }) => {
    // Loaded on first use: the library takes most of a second to load, which every other command
    // would pay for nothing. Patched first, if the install ran no scripts.
    await ensureLibraryPatched();
    const { Browsers, fetchLatestWaWebVersion, isJidBroadcast, isJidNewsletter, makeWASocket } = await import(
      'baileys'
    );
    // The WhatsApp Web version moves; connecting with a stale one is refused (405). The library
    // falls back to the version it ships with when the lookup fails.
    const { version } = await fetchLatestWaWebVersion({ signal: AbortSignal.timeout(10_000) });
    const socket = makeWASocket({
      version,
      auth,
      logger,
      browser: Browsers.macOS('Desktop'),
      ...(config.url ? { waWebSocketUrl: config.url } : {}),
      markOnlineOnConnect: false,
      syncFullHistory: true,
      shouldSyncHistoryMessage: () => true,
      shouldIgnoreJid: (jid) => isJidBroadcast(jid) || isJidNewsletter(jid),
      generateHighQualityLinkPreview: false,
      getMessage,
    });
    return socket as unknown as CaptureSocket;
  };
}
