import type {
  AuthenticationState,
  CacheStore,
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
 * Nothing here sends a message or a read receipt; the only presence it can send is `unavailable`.
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
  /**
   * Tells WhatsApp the device is offline, under the account's name (`creds.me.name`, which the
   * library needs for it). Typed to `unavailable` only: a capture-only device never says `available`.
   */
  sendPresenceUpdate(type: 'unavailable'): Promise<void>;
}

export interface SocketOptions {
  /** Creds and signal keys (the session wraps its stored keys in the library's cache once). */
  auth: AuthenticationState;
  /** The stored content of a message, which the library asks for to decrypt poll votes and retries. */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
  /**
   * Retry counts of messages that failed to decrypt, one per session and given to each of its
   * sockets: a count kept only by the socket starts over on every restart, and a message that keeps
   * failing is asked for again without end (the library's example keeps it outside the socket, for
   * this reason: Example/example.ts in WhiskeySockets/Baileys).
   */
  msgRetryCounterCache: CacheStore;
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
  return async ({ auth, getMessage, msgRetryCounterCache, logger }) => {
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
      msgRetryCounterCache,
    });
    return socket as unknown as CaptureSocket;
  };
}

/** How long a retry count is kept: an hour, the library's own default (DEFAULT_CACHE_TTLS.MSG_RETRY). */
const RETRY_COUNT_TTL_MS = 60 * 60_000;

/**
 * The library's cache of message retry counts, in memory: each entry lives an hour from its last
 * write, and past `maxEntries` the oldest written goes first. No timer runs, so nothing is left to
 * stop when the session ends.
 */
export class RetryCounterCache implements CacheStore {
  private readonly entries = new Map<string, { value: unknown; until: number }>();

  constructor(
    private readonly ttlMs = RETRY_COUNT_TTL_MS,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set<T>(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  del(key: string): void {
    this.entries.delete(key);
  }

  flushAll(): void {
    this.entries.clear();
  }
}
