import {
  DisconnectReason,
  type LIDMapping,
  makeCacheableSignalKeyStore,
  normalizeMessageContent,
  proto,
  type SignalKeyStore,
  type WAMessage,
} from 'baileys';
import type { Logger } from 'pino';
import type { Account } from '../../core/model.js';
import type { SecretBox } from '../../core/secret-box.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { IngestItem } from '../../ingest/types.js';
import type { Store } from '../../store/index.js';
import type {
  LinkedDeviceState,
  PairingUpdate,
  StateChange,
} from '../../store/repositories/whatsapp-web-sessions.js';
import { type StoredAuthState, storedAuthState } from './auth-state.js';
import { GapFill } from './gap-fill.js';
import {
  type GroupRecord,
  groupRecord,
  recordContacts,
  recordGroups,
  recordLidMappings,
} from './identity.js';
import { mapWebMessage, toWAMessage } from './map.js';
import { chosen, readVote } from './polls.js';
import { type CaptureSocket, RetryCounterCache, type SocketEvents, type SocketFactory } from './socket.js';
import { DEFAULT_TRAFFIC, type TrafficLimits } from './traffic.js';

/** How a person pairs: scanning QR codes, or typing a code on the phone (Link with phone number). */
export type PairingRequest = { method: 'qr' } | { method: 'code' };

export type { PairingUpdate };

/** A session's waits, and the limits on what it asks of WhatsApp (see traffic.ts). */
export interface SessionTiming extends TrafficLimits {
  /** Wait before each reconnect attempt in a row; the last entry repeats. Jittered by up to 20%. */
  reconnectDelaysMs: readonly number[];
  /**
   * The backoff starts over only once a connection has stayed open this long: a socket that opens
   * and closes again at once (a refusal after the handshake) keeps backing off.
   */
  stableAfterMs: number;
  /** How long a temporary ban pauses the session when WhatsApp says nothing of when it ends. */
  banPauseMs: number;
  /** The jitter's source, in [0, 1): `Math.random`, fixed in tests. */
  random: () => number;
  /** A connected socket with no frame for this long is recycled. */
  watchdogMs: number;
  /** How often the watchdog looks. */
  watchdogCheckMs: number;
  /** After a reconnect, how long to wait for offline messages before filling the gap anyway. */
  gapSettleMs: number;
  /** Once offline messages are in, how long nothing new must arrive before the gap is filled. */
  gapQuietMs: number;
  /** The pause between two history requests of a gap. */
  gapRequestSpacingMs: number;
  /** How long the phone has to upload expired media again. */
  reuploadTimeoutMs: number;
  /** A gap fill's requests that get no answer in this long are given up (the gap is closed). */
  gapTimeoutMs: number;
  /** Messages asked for per history request (the phone answers at most 50). */
  gapFillCount: number;
  /** Requests per chat for one gap before it is called filled. */
  gapFillRounds: number;
  /** Waits between attempts to store what arrived while the database refuses; one retry per entry. */
  storeRetryMs: readonly number[];
}

export const DEFAULT_TIMING: SessionTiming = {
  ...DEFAULT_TRAFFIC,
  reconnectDelaysMs: [1_000, 2_000, 5_000, 15_000, 30_000, 60_000],
  stableAfterMs: 5 * 60_000,
  banPauseMs: 24 * 60 * 60_000,
  random: Math.random,
  watchdogMs: 120_000,
  watchdogCheckMs: 15_000,
  gapSettleMs: 30_000,
  gapQuietMs: 3_000,
  gapRequestSpacingMs: 500,
  reuploadTimeoutMs: 30_000,
  gapTimeoutMs: 300_000,
  gapFillCount: 50,
  gapFillRounds: 3,
  storeRetryMs: [500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 60_000, 60_000, 60_000],
};

export interface SessionDependencies {
  store: Store;
  ingest: IngestPipeline;
  box: SecretBox;
  factory: SocketFactory;
  logger: Logger;
  timing?: Partial<SessionTiming> | undefined;
  /** Called once the session stops on its own (logged out, pairing over): its lease can go. */
  onEnded?: ((session: LinkedDeviceSession) => Promise<void>) | undefined;
}

/** The library's history phases by name, as the account shows them. */
const HISTORY_PHASES: Record<number, string> = {
  [proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP]: 'bootstrap',
  [proto.HistorySync.HistorySyncType.INITIAL_STATUS_V3]: 'status',
  [proto.HistorySync.HistorySyncType.FULL]: 'full',
  [proto.HistorySync.HistorySyncType.RECENT]: 'recent',
  [proto.HistorySync.HistorySyncType.PUSH_NAME]: 'push_names',
  [proto.HistorySync.HistorySyncType.NON_BLOCKING_DATA]: 'non_blocking',
  [proto.HistorySync.HistorySyncType.ON_DEMAND]: 'on_demand',
};

const INGEST_BATCH = 500;

const TOUCH_EVERY_MS = 5_000;

/** The longest wait a Node timer takes; a longer pause is waited out in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Close codes the library has no name for, as WhatsApp sends them in its `<failure reason=…>` (the
 * library closes with that reason as the status code and the failure's attributes as the error's
 * `data`: `CB:failure` in src/Socket/socket.ts of WhiskeySockets/Baileys). Their meaning is
 * whatsmeow's (types/events/events.go, ConnectFailureReason; connectionevents.go,
 * handleConnectFailure): 402 a temporary ban, whose `code` says why and `expire` in how many seconds
 * it ends; 406 a ban that logs the device out ("BANNED in the WhatsApp Web code").
 */
const TEMPORARILY_BANNED = 402;
const BANNED = 406;

/** Closes after which the device is no longer linked: the keys are forgotten and it must pair again. */
const LOGGED_OUT_CODES: ReadonlySet<number> = new Set([
  DisconnectReason.loggedOut,
  DisconnectReason.forbidden,
  BANNED,
  DisconnectReason.multideviceMismatch,
]);

/** Why WhatsApp banned a number for a while, by its code (whatsmeow's TempBanReason). */
const BAN_REASONS: Record<number, string> = {
  101: 'messages to too many people who do not have the number saved',
  102: 'too many people blocked it',
  103: 'it created too many groups with people who do not have it saved',
  104: 'the same message sent to too many people',
  106: 'too many messages to a broadcast list',
};

/** Why a socket closed, in words a person can act on. */
export function describeDisconnect(code: number | undefined, message: string | undefined): string {
  switch (code) {
    case DisconnectReason.loggedOut:
      return 'Logged out: the device was removed under Linked devices on the phone, or WhatsApp ended the session.';
    case DisconnectReason.forbidden:
      return 'WhatsApp refused the session (403); the number may be restricted.';
    case BANNED:
      return 'WhatsApp banned this number and ended the session (406).';
    case TEMPORARILY_BANNED:
      return 'WhatsApp banned this number for a while (402).';
    case DisconnectReason.connectionReplaced:
      return 'Another connection took over this session (440).';
    case DisconnectReason.restartRequired:
      return 'WhatsApp asked for a restart (515), as it does right after pairing.';
    case DisconnectReason.badSession:
      return 'The session data was refused (500).';
    case DisconnectReason.multideviceMismatch:
      return 'WhatsApp refused this linked device (411, multi-device mismatch): pair it again.';
    case DisconnectReason.unavailableService:
      return 'WhatsApp is unavailable (503).';
    case DisconnectReason.connectionClosed:
      return 'The connection was closed (428).';
    case DisconnectReason.connectionLost:
      return `The connection was lost or timed out (408)${message ? `: ${message}` : ''}.`;
    default:
      return message ? `Disconnected: ${message}${code ? ` (${code})` : ''}.` : 'Disconnected.';
  }
}

export function statusCodeOf(error: unknown): number | undefined {
  const output = (error as { output?: { statusCode?: unknown } } | undefined)?.output;
  return typeof output?.statusCode === 'number' ? output.statusCode : undefined;
}

/** A temporary ban as the close tells it: its end (a default pause when none is given) and why. */
function temporaryBan(data: unknown, now: number, defaultPauseMs: number): { until: number; reason: string } {
  const attrs = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const expireS = Number(attrs.expire);
  const expiryGiven = Number.isFinite(expireS) && expireS > 0;
  const until = now + (expiryGiven ? expireS * 1000 : defaultPauseMs);
  const code = Number(attrs.code);
  const why =
    Number.isInteger(code) && code > 0
      ? ` (ban code ${code}${BAN_REASONS[code] ? `: ${BAN_REASONS[code]}` : ''})`
      : '';
  const end = new Date(until).toISOString();
  const reason = expiryGiven
    ? `WhatsApp banned this number for a while (402)${why}. wasync stays off until the ban ends at ${end}, then connects again.`
    : `WhatsApp banned this number for a while (402)${why} and did not say until when: wasync stays off until ${end}, then tries again.`;
  return { until, reason };
}

/** A wait in seconds as a person reads it: tenths under 10 s, whole seconds above. */
function seconds(ms: number): string {
  return ms < 10_000 ? String(Math.round(ms / 100) / 10) : String(Math.round(ms / 1000));
}

/**
 * One linked-device account's connection to WhatsApp, capture only: it stores what arrives and
 * never sends a message or a read receipt; the only presence it sends is `unavailable`. Events are
 * handled one batch at a time, in the order they came; a write the database refuses is retried. A
 * close reconnects with backoff (reset only after a stable connection), except a log-out (the keys are
 * forgotten), another copy taking the session (stopped) and a temporary ban (paused until it ends); a
 * socket that looks open but goes silent is recycled; after a reconnect, the history each chat
 * missed is asked of the phone.
 */
export class LinkedDeviceSession {
  private socket: CaptureSocket | undefined;
  private auth: StoredAuthState | undefined;
  private keys: SignalKeyStore | undefined;
  private running = false;
  /** The current socket is open (not just connecting). */
  private connected = false;
  /** The session was paired when it last connected (a logout while away is worded differently). */
  private wasPaired = false;
  /** Reconnect attempts since the last stable connection: the backoff's position. */
  private failures = 0;
  /** When the current socket opened. */
  private openedAt: number | undefined;
  /** While banned: the session connects again at this time. */
  private pausedUntil: number | undefined;
  /** One retry-count cache for every socket of this session, as the library's example keeps it. */
  private readonly retryCounts = new RetryCounterCache();
  private readonly timers = new Set<NodeJS.Timeout>();
  private watchdog: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Creds are saved on a line of their own, at once: behind a history batch a crash could lose them. */
  private credsWrites: Promise<void> = Promise.resolve();
  /** Pairing updates go to the store in order, for pages served by any process. */
  private pairingWrites: Promise<void> = Promise.resolve();
  private lastSignAt = 0;
  private lastTouchAt = 0;
  private pairing: (PairingRequest & { codeRequested?: boolean }) | undefined;
  private readonly listeners = new Set<(update: PairingUpdate) => void>();
  private lastPairingUpdate: PairingUpdate | undefined;
  private readonly gapFill: GapFill;
  private readonly timing: SessionTiming;
  private readonly log: Logger;

  constructor(
    readonly account: Account,
    private readonly deps: SessionDependencies,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.log = deps.logger.child({ accountId: account.id });
    this.gapFill = new GapFill({
      accountId: account.id,
      store: deps.store,
      timing: this.timing,
      log: this.log,
      enqueue: (work) => this.enqueue(work),
      persist: (write) => this.persist(write),
      timer: (ms, run) => this.timer(ms, run),
      isCurrent: (socket) => this.socket === socket,
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Whether this session holds a paired device (it may still be connecting). Only a successful
   * pairing sets `account`; `me` is set already when a pairing code is asked for.
   */
  get isPaired(): boolean {
    return Boolean(this.auth?.state.creds.account);
  }

  get isPairing(): boolean {
    return this.pairing !== undefined;
  }

  /** Connects (resuming the stored session), or starts pairing when `pairing` is given. */
  async start(pairing?: PairingRequest): Promise<void> {
    if (pairing) this.pairing = { ...pairing };
    if (this.running) return;
    this.running = true;
    const stored = await this.deps.store.whatsappWebSessions.ensure(this.account.id);
    // A ban outlives the process: whoever runs the session next waits for its end too.
    if (stored.state === 'banned' && stored.pausedUntil) this.pausedUntil = stored.pausedUntil.getTime();
    await this.connectUnlessPaused();
  }

  /**
   * Hears pairing progress; the latest update so far is replayed at once, so a screen opened late
   * still shows the current QR code. Returns the unsubscribe function.
   */
  onPairing(listener: (update: PairingUpdate) => void): () => void {
    this.listeners.add(listener);
    if (this.lastPairingUpdate) listener(this.lastPairingUpdate);
    return () => this.listeners.delete(listener);
  }

  /** Stops the connection, keeping the pairing: the next start resumes. Waits for pending writes. */
  async stop(): Promise<void> {
    if (!this.running) return this.idle();
    this.running = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    this.connected = false;
    if (this.pairing) this.endPairing({ type: 'failed', code: 'stopped', reason: 'wasync stopped.' });
    this.endSocket(socket, undefined);
    await this.idle();
    if (this.pausedUntil !== undefined) return; // still banned: the state says so, and until when
    if (this.isPaired) {
      await this.deps.store.whatsappWebSessions.openGap(this.account.id, this.gapStart());
      await this.setState('disconnected', { reason: 'wasync stopped this session (shutdown or hand-over).' });
    } else {
      await this.setState('unpaired');
    }
  }

  /**
   * Drops the connection at once and writes nothing of the session's state: this process no longer
   * holds the session (another took it, or its lease could not be renewed and another may take it any
   * moment), and two sockets on one account make WhatsApp close one of them (440). What the socket
   * delivered before is still stored (`idle` waits for it).
   */
  halt(): void {
    if (!this.running) return;
    this.running = false;
    this.clearTimers();
    const socket = this.socket;
    this.socket = undefined;
    this.connected = false;
    if (this.pairing) {
      this.endPairing({
        type: 'failed',
        code: 'stopped',
        reason: 'The wasync process that ran this pairing lost its hold on the session; start pairing again.',
      });
    }
    this.endSocket(socket, undefined);
  }

  /**
   * Unlinks the device and forgets the session. Connected, WhatsApp removes the device from the
   * phone's Linked devices; otherwise only wasync forgets it, and the state says to remove it there.
   */
  async logout(): Promise<void> {
    const socket = this.socket;
    const connected = this.connected;
    this.running = false;
    this.clearTimers();
    this.socket = undefined;
    this.connected = false;
    let removed = false;
    if (socket && connected) {
      try {
        socket.ev.flush();
        await socket.logout('unlinked in wasync');
        removed = true;
      } catch (error) {
        this.log.warn({ err: error }, 'logging out over the socket failed; forgetting the session anyway');
      }
    }
    this.endSocket(socket, undefined);
    await this.idle();
    const stored = await this.deps.store.whatsappWebSessions.get(this.account.id);
    const paired = this.wasPaired || this.isPaired || stored?.me !== undefined;
    await this.forget(
      removed || !paired
        ? 'Unlinked in wasync.'
        : 'Unlinked in wasync while not connected: remove it on the phone too (Settings → Linked devices).',
      undefined,
    );
  }

  /** Asks the phone to upload a message's media again (WhatsApp's servers no longer hold it). */
  async reuploadMedia(message: WAMessage): Promise<WAMessage> {
    const socket = this.socket;
    if (!socket || !this.connected) {
      throw new Error('the session is not connected, so the phone cannot be asked to re-upload');
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        socket.updateMediaMessage(message),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('the phone did not upload the media again in time (is it online?)')),
            this.timing.reuploadTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once every event received so far has been handled and the creds are saved. */
  async idle(): Promise<void> {
    let seen: Promise<void>[] = [];
    while (seen[0] !== this.queue || seen[1] !== this.credsWrites || seen[2] !== this.pairingWrites) {
      seen = [this.queue, this.credsWrites, this.pairingWrites];
      await Promise.all(seen);
    }
  }

  /** Connects, unless a ban is not over yet: then it waits for its end (in steps a timer can take). */
  private async connectUnlessPaused(): Promise<void> {
    const until = this.pausedUntil;
    if (until !== undefined && until > Date.now()) {
      this.timer(Math.min(until - Date.now(), MAX_TIMER_MS), () =>
        this.enqueue(() => this.connectUnlessPaused()),
      );
      return;
    }
    this.pausedUntil = undefined;
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const { store, box, factory } = this.deps;
    if (!this.auth) {
      this.auth = await storedAuthState({
        accountId: this.account.id,
        repository: store.whatsappWebAuth,
        box,
        onLidMappings: (pairs) =>
          this.enqueue(() => this.persist(() => recordLidMappings(store, this.account.workspaceId, pairs))),
      });
      this.keys = undefined;
    }
    // One key cache per session, not per socket: each cache runs a timer the library never stops.
    this.keys ??= makeCacheableSignalKeyStore(
      this.auth.state.keys,
      this.log.child({ component: 'baileys' }, { level: 'warn' }),
    );
    this.wasPaired = this.isPaired;
    await this.setState(this.isPaired ? 'connecting' : 'pairing');
    let socket: CaptureSocket;
    try {
      socket = await factory({
        auth: { creds: this.auth.state.creds, keys: this.keys },
        getMessage: (key) => this.storedContent(key.id),
        msgRetryCounterCache: this.retryCounts,
        logger: this.log.child({ component: 'baileys' }, { level: 'warn' }),
      });
    } catch (error) {
      await this.retryLater(undefined, `Could not start the connection: ${(error as Error).message}`);
      return;
    }
    if (!this.running) {
      socket.end(undefined);
      return;
    }
    this.socket = socket;
    this.lastSignAt = Date.now();
    socket.ws.on('frame', () => {
      if (this.socket === socket) this.lastSignAt = Date.now();
    });
    this.listen(socket, socket.ev);
  }

  private listen(socket: CaptureSocket, ev: SocketEvents): void {
    // The library says `unavailable` itself on open, but only if it knows the account's name by then
    // (src/Socket/chats.ts, sendPresenceUpdate on `connection: 'open'`); right after pairing the name
    // comes later (creds.update with `me.name`), and the patched library no longer sends a presence
    // for it. So a name that arrives once the socket is open is announced here, once per name. Creds
    // and connection updates are never buffered: they come here in order, as the library sees them.
    let open = false;
    let announced: string | undefined;
    ev.process((events) => {
      if (events['connection.update']?.connection === 'open') {
        open = true;
        announced = this.auth?.state.creds.me?.name;
      }
      const name = events['creds.update']?.me?.name;
      if (open && name && name !== announced) {
        announced = name;
        this.announceUnavailable(socket);
      }
      if (events['creds.update']) this.saveCreds();
      // The library drops what it still buffers when a socket ends, though it has acknowledged it to
      // WhatsApp: let it out first (it comes back through this callback, so it is queued first).
      if (events['connection.update']?.connection === 'close') ev.flush();
      this.enqueue(() => this.handle(socket, events));
    });
  }

  private announceUnavailable(socket: CaptureSocket): void {
    if (this.socket !== socket) return;
    socket.sendPresenceUpdate('unavailable').catch((error: unknown) => {
      this.log.warn({ err: error }, 'telling WhatsApp the device is unavailable failed');
    });
  }

  /** Runs work after everything queued before it; a failure is logged and the queue goes on. */
  private enqueue(work: () => Promise<unknown>): void {
    this.queue = this.queue.then(work).then(
      () => undefined,
      (error: unknown) => this.log.error({ err: error }, 'handling what WhatsApp sent failed'),
    );
  }

  private saveCreds(): void {
    const auth = this.auth;
    if (!auth) return;
    this.credsWrites = this.credsWrites
      .then(() => this.persist(() => auth.saveCreds()))
      .then(
        () => undefined,
        (error: unknown) => this.log.error({ err: error }, 'saving the session creds failed'),
      );
  }

  /** Ends a socket of this session, letting out what it still buffers first. */
  private endSocket(socket: CaptureSocket | undefined, error: Error | undefined): void {
    if (!socket) return;
    try {
      socket.ev.flush();
    } catch (failure) {
      this.log.warn({ err: failure }, 'letting out the buffered events failed');
    }
    socket.end(error);
  }

  private async handle(socket: CaptureSocket, events: SocketEventMap): Promise<void> {
    if (socket === this.socket) this.lastSignAt = Date.now();
    if (events['connection.update']) await this.onConnection(socket, events['connection.update']);
    const { store } = this.deps;
    const workspaceId = this.account.workspaceId;
    const mapping = events['lid-mapping.update'];
    if (mapping) await this.persist(() => recordLidMappings(store, workspaceId, [mapping]));
    for (const contacts of [events['contacts.upsert'], events['contacts.update']]) {
      if (contacts?.length) await this.persist(() => recordContacts(store, workspaceId, contacts));
    }
    for (const groups of [events['groups.upsert'], events['groups.update']]) {
      const records = (groups ?? []).map(groupRecord).filter((g) => g !== undefined);
      if (records.length) await this.persist(() => recordGroups(store, this.account, records));
    }
    const joined = events['group-participants.update'];
    if (joined && joined.action !== 'remove') {
      const record = groupRecord({ id: joined.id, participants: joined.participants });
      if (record) await this.persist(() => recordGroups(store, this.account, [record]));
    }
    // `groups.update` carries only what changed (a new subject, say) and `group-participants.update`
    // only who came or went (WhiskeySockets/Baileys src/Types/Events.ts): the group is looked up once
    // to have its whole state. `groups.upsert` carries the whole metadata already.
    const changed = new Set([...(events['groups.update'] ?? []).map((g) => g.id), joined?.id]);
    changed.delete(undefined);
    if (changed.size) this.enqueue(() => this.refreshGroups(socket, [...changed] as string[]));
    const history = events['messaging-history.set'];
    if (history) await this.onHistory(socket, history);
    const status = events['messaging-history.status'];
    if (status?.status === 'complete') {
      const phase = HISTORY_PHASES[status.syncType] ?? String(status.syncType);
      await this.persist(() => store.whatsappWebSessions.completeHistory(this.account.id, phase));
    }
    const upsert = events['messages.upsert'];
    if (upsert) {
      await this.store(this.map(upsert.messages, await this.pollVotes(upsert.messages)));
      this.gapFill.messagesArrived(socket);
    }
    const updates = events['messages.update'];
    if (updates?.length) await this.onMessageUpdates(updates);
    await this.touch();
  }

  private async onConnection(
    socket: CaptureSocket,
    update: NonNullable<SocketEventMap['connection.update']>,
  ): Promise<void> {
    if (socket !== this.socket) return;
    if (update.qr) await this.onQr(socket, update.qr);
    if (update.connection === 'open') await this.onOpen(socket);
    if (update.receivedPendingNotifications) this.gapFill.offlineDelivered(socket);
    if (update.connection === 'close') {
      this.socket = undefined;
      const error = update.lastDisconnect?.error;
      await this.afterClose(
        statusCodeOf(error),
        error?.message,
        (error as { data?: unknown } | undefined)?.data,
      );
    }
  }

  private async onQr(socket: CaptureSocket, qr: string): Promise<void> {
    const pairing = this.pairing;
    if (!pairing) {
      // The stored session no longer logs in and nobody asked to pair: a person has to.
      this.running = false;
      this.socket = undefined;
      this.endSocket(socket, undefined);
      await this.setState('unpaired', {
        reason: 'The session needs pairing again (WhatsApp asked for a new QR scan).',
      });
      await this.deps.onEnded?.(this);
      return;
    }
    if (pairing.method === 'code') {
      if (pairing.codeRequested) return;
      pairing.codeRequested = true;
      try {
        const code = await socket.requestPairingCode(this.account.phone.replace(/^\+/, ''));
        this.emit({ type: 'code', code });
      } catch (error) {
        this.endPairing({
          type: 'failed',
          code: 'pairing_failed',
          reason: `WhatsApp did not give a pairing code: ${(error as Error).message}`,
        });
        this.running = false;
        this.socket = undefined;
        this.endSocket(socket, undefined);
        await this.setState('unpaired', { reason: 'Pairing failed: no pairing code.' });
        await this.deps.onEnded?.(this);
      }
      return;
    }
    this.emit({ type: 'qr', qr });
  }

  private async onOpen(socket: CaptureSocket): Promise<void> {
    // The backoff is not reset here: only a connection that lasts (see afterClose).
    this.openedAt = Date.now();
    this.connected = true;
    this.wasPaired = true;
    const me = socket.user?.id ?? this.auth?.state.creds.me?.id;
    const stored = await this.persist(() => this.deps.store.whatsappWebSessions.get(this.account.id));
    await this.rememberOwnLid(socket);
    await this.setState('connected', { me, connectedAt: Date.now() });
    if (this.pairing) {
      this.log.info({ me }, 'paired');
      this.endPairing({ type: 'connected', me: me ?? '' });
    }
    this.startWatchdog(socket);
    // The full list of groups once after pairing; after that, only groups the library says changed.
    if (!stored?.groupsFetchedAt) this.enqueue(() => this.fetchGroups(socket));
    if (stored?.gapSince) this.gapFill.begin(socket, stored.gapSince.getTime());
  }

  /**
   * The account's own lid, as the library holds it once paired (`creds.me.lid`), is nobody's: a lid
   * mapping or contact that names it is never recorded against a chat partner (see identity.ts).
   * Learned here at every open, so it holds before the first history or message arrives.
   */
  private async rememberOwnLid(socket: CaptureSocket): Promise<void> {
    const raw = socket.user?.lid ?? this.auth?.state.creds.me?.lid;
    if (!raw) return;
    const parsed = parseWhatsAppId(raw);
    if (!parsed.ok || parsed.address.kind !== 'lid') return;
    const lid = parsed.address.lid;
    await this.persist(() =>
      this.deps.store.identities.recordOwnLids(this.deps.store.sql.db, this.account.workspaceId, [lid]),
    );
  }

  /**
   * After a close: a log-out (401, 403, 406, 411) forgets the keys; another copy taking the session
   * (440) stops it; a temporary ban (402) pauses it until the ban ends; a restart request (515)
   * reconnects at once; anything else reconnects with backoff.
   */
  private async afterClose(
    code: number | undefined,
    message: string | undefined,
    data?: unknown,
  ): Promise<void> {
    this.stopWatchdog();
    this.connected = false;
    this.gapFill.abandon();
    if (this.openedAt !== undefined && Date.now() - this.openedAt >= this.timing.stableAfterMs)
      this.failures = 0;
    this.openedAt = undefined;
    if (!this.running) return;
    const reason = describeDisconnect(code, message);
    if (code !== undefined && LOGGED_OUT_CODES.has(code)) {
      this.running = false;
      await this.forget(reason, code);
      await this.deps.onEnded?.(this);
      return;
    }
    if (code === DisconnectReason.restartRequired) {
      await this.setState('connecting', { reason, statusCode: code });
      await this.connect();
      return;
    }
    if (!this.isPaired) {
      // QR codes ran out (or the pairing code expired) before the phone confirmed, or WhatsApp was
      // never reached: either way nobody is pairing any more, so no reconnect.
      this.running = false;
      const shown = this.lastPairingUpdate !== undefined;
      const ended = shown
        ? 'Pairing ended: nothing was scanned or entered on the phone in time.'
        : `Could not reach WhatsApp to pair. ${reason}`;
      this.endPairing({ type: 'failed', code: shown ? 'pairing_timeout' : 'pairing_failed', reason: ended });
      await this.setState('unpaired', { reason: ended, statusCode: code });
      await this.deps.onEnded?.(this);
      return;
    }
    await this.persist(() => this.deps.store.whatsappWebSessions.openGap(this.account.id, this.gapStart()));
    if (code === DisconnectReason.connectionReplaced) {
      // Reconnecting would take the session back from the other copy, which takes it back again:
      // two clients fighting over one device is what WhatsApp bans numbers for.
      this.running = false;
      this.clearTimers();
      await this.setState('replaced', {
        reason:
          'Another copy of this session connected to WhatsApp with the same keys (440), so wasync stopped this one: two copies taking turns look like abuse to WhatsApp and can get the number banned. Stop the other copy (another wasync on this database or a copy of it), then press Resume in Setup or restart wasync.',
        statusCode: code,
      });
      await this.deps.onEnded?.(this);
      return;
    }
    if (code === TEMPORARILY_BANNED) {
      const ban = temporaryBan(data, Date.now(), this.timing.banPauseMs);
      this.pausedUntil = ban.until;
      this.log.warn({ until: new Date(ban.until).toISOString(), data }, 'temporarily banned; paused');
      await this.setState('banned', { reason: ban.reason, statusCode: code, pausedUntil: ban.until });
      await this.connectUnlessPaused();
      return;
    }
    await this.retryLater(code, reason);
  }

  private async retryLater(code: number | undefined, reason: string): Promise<void> {
    const delays = this.timing.reconnectDelaysMs;
    const base = delays[Math.min(this.failures, delays.length - 1)] ?? 1_000;
    this.failures += 1;
    const delay = Math.round(base * (1 + this.timing.random() * 0.2));
    await this.setState('disconnected', {
      reason: `${reason} Reconnecting in ${seconds(delay)} s.`,
      statusCode: code,
    });
    this.timer(delay, () => this.enqueue(() => this.connect()));
  }

  /** A socket that has received nothing (not even the keep-alive answers) for too long is recycled. */
  private startWatchdog(socket: CaptureSocket): void {
    this.stopWatchdog();
    this.watchdog = setInterval(() => {
      if (this.socket !== socket) return this.stopWatchdog();
      const silentMs = Date.now() - this.lastSignAt;
      if (silentMs < this.timing.watchdogMs) return;
      this.log.warn({ silentMs }, 'the socket went silent; recycling it');
      this.socket = undefined;
      this.endSocket(socket, new Error('no sign of life'));
      this.enqueue(() =>
        this.afterClose(undefined, `no frame received for ${Math.round(silentMs / 1000)} s (watchdog)`),
      );
    }, this.timing.watchdogCheckMs);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private async onHistory(
    socket: CaptureSocket,
    history: NonNullable<SocketEventMap['messaging-history.set']>,
  ): Promise<void> {
    const { store } = this.deps;
    const workspaceId = this.account.workspaceId;
    const mappings: LIDMapping[] = history.lidPnMappings ?? [];
    if (mappings.length) await this.persist(() => recordLidMappings(store, workspaceId, mappings));
    if (history.contacts.length)
      await this.persist(() => recordContacts(store, workspaceId, history.contacts));
    const groups = history.chats
      .map((chat) => groupRecord({ id: chat.id ?? '', subject: chat.name ?? '' }))
      .filter((g): g is GroupRecord => g?.title !== undefined);
    if (groups.length) await this.persist(() => recordGroups(store, this.account, groups));
    const items = this.map(history.messages);
    for (let i = 0; i < items.length; i += INGEST_BATCH) await this.store(items.slice(i, i + INGEST_BATCH));
    // Sets that arrive while the library buffers are merged into one, keeping the last one's type,
    // chunk and progress: the phases' figures are as close as the library lets them be.
    const phase = HISTORY_PHASES[history.syncType ?? -1] ?? String(history.syncType ?? 'unknown');
    await this.persist(() =>
      store.whatsappWebSessions.recordHistoryChunk(this.account.id, phase, {
        order: history.chunkOrder ?? undefined,
        messages: history.messages.length,
        progress: history.progress ?? undefined,
      }),
    );
    // Any set, not only an on-demand one: a merged set may carry the answer.
    this.gapFill.historyArrived(socket, history);
  }

  /**
   * Fetches every group the account is in, once after pairing (noted in the store, so a reconnect or
   * a restart does not ask again: each full fetch is one more query an unofficial client makes).
   * Later changes come as the library's notices (`groups.upsert`, `groups.update`,
   * `group-participants.update`); a failed fetch is tried again at the next connect.
   */
  private async fetchGroups(socket: CaptureSocket): Promise<void> {
    if (socket !== this.socket) return;
    let groups: Awaited<ReturnType<CaptureSocket['groupFetchAllParticipating']>>;
    try {
      groups = await socket.groupFetchAllParticipating();
    } catch (error) {
      this.log.warn({ err: error }, 'fetching the groups failed; they fill in as their messages arrive');
      return;
    }
    const records = Object.values(groups)
      .map(groupRecord)
      .filter((g) => g !== undefined);
    if (records.length) await this.persist(() => recordGroups(this.deps.store, this.account, records));
    await this.persist(() => this.deps.store.whatsappWebSessions.groupsFetched(this.account.id, Date.now()));
  }

  /** Looks up the groups a change notice named, one by one, and records what they are now. */
  private async refreshGroups(socket: CaptureSocket, jids: string[]): Promise<void> {
    const records: GroupRecord[] = [];
    for (const jid of jids) {
      if (socket !== this.socket) return;
      try {
        const record = groupRecord(await socket.groupMetadata(jid));
        if (record) records.push(record);
      } catch (error) {
        this.log.warn({ err: error, group: jid }, 'looking up a changed group failed');
      }
    }
    if (records.length) await this.persist(() => recordGroups(this.deps.store, this.account, records));
  }

  /**
   * What `messages.update` adds to stored messages. Edits and deletions need nothing here: their
   * protocol messages arrive in `messages.upsert` too and are stored as events from there, so an
   * update's folded copy would only repeat them. Poll votes a library version hands over decrypted
   * (`pollUpdates` on the poll's key, WhiskeySockets/Baileys src/Utils/process-message.ts) are stored
   * like the votes read here. Pins and kept messages come as messages of their own (map.ts); status
   * and star changes are the rep's own bookkeeping, not the conversation's.
   */
  private async onMessageUpdates(updates: NonNullable<SocketEventMap['messages.update']>): Promise<void> {
    const votes: WAMessage[] = [];
    const chosenBy = new Map<string, string[]>();
    for (const { key, update } of updates) {
      if (!update.pollUpdates?.length || !key.id) continue;
      const poll = toWAMessage(
        await this.persist(() => this.deps.store.messages.rawOf(this.account.id, key.id ?? '')),
      );
      for (const pollUpdate of update.pollUpdates) {
        const voteKey = pollUpdate.pollUpdateMessageKey;
        if (!voteKey?.id || !voteKey.remoteJid) continue;
        votes.push({
          key: voteKey,
          message: { pollUpdateMessage: { pollCreationMessageKey: key } },
          messageTimestamp: Math.floor(Number(pollUpdate.senderTimestampMs ?? 0) / 1000),
        } as WAMessage);
        if (poll && pollUpdate.vote) chosenBy.set(voteKey.id, chosen(poll, voteKey, pollUpdate.vote));
      }
    }
    if (votes.length) await this.store(this.map(votes, chosenBy));
  }

  /** The poll votes among `messages`, read with their polls' keys (for polls stored already). */
  private async pollVotes(messages: readonly WAMessage[]): Promise<Map<string, string[]>> {
    const votes = new Map<string, string[]>();
    const creds = this.auth?.state.creds.me;
    const me = [creds?.id, creds?.lid].filter((jid): jid is string => Boolean(jid));
    for (const message of messages) {
      const pollId = normalizeMessageContent(message.message)?.pollUpdateMessage?.pollCreationMessageKey?.id;
      if (!pollId || !message.key.id) continue;
      const poll = toWAMessage(
        await this.persist(() => this.deps.store.messages.rawOf(this.account.id, pollId)),
      );
      const read = poll && readVote(message, poll, me);
      if (read) votes.set(message.key.id, read);
    }
    return votes;
  }

  private map(messages: readonly WAMessage[], pollVotes?: ReadonlyMap<string, string[]>): IngestItem[] {
    return messages.flatMap((message) => {
      try {
        return mapWebMessage(message, { accountId: this.account.id, pollVotes });
      } catch (error) {
        this.log.error({ err: error, id: message.key?.id }, 'a message could not be read; skipped');
        return [];
      }
    });
  }

  /**
   * Runs a write, retrying while it fails (one retry per entry of `delays`): what the socket
   * delivered exists nowhere else on this side, so a database that refuses for a while delays the
   * events behind it rather than losing them.
   */
  private async persist<T>(write: () => Promise<T>, delays = this.timing.storeRetryMs): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        const delay = delays[attempt];
        if (delay === undefined) throw error;
        this.log.error({ err: error, attempt }, `storing what WhatsApp sent failed; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Stores messages and events. A batch refused on every retry is stored item by item, so one item
   * the store cannot take costs only itself (logged with its id) and does not hold up the account.
   */
  private async store(items: IngestItem[]): Promise<void> {
    if (items.length === 0) return;
    const { ingest } = this.deps;
    try {
      await this.persist(() => ingest.ingest(this.account, items));
    } catch (error) {
      const one = items.length === 1;
      for (const item of items) {
        try {
          if (one) throw error;
          await this.persist(() => ingest.ingest(this.account, [item]), this.timing.storeRetryMs.slice(0, 2));
        } catch (failure) {
          this.log.error({ err: failure, id: item.sourceId }, 'a message could not be stored; skipped');
        }
      }
    }
  }

  private async storedContent(id: string | null | undefined): Promise<proto.IMessage | undefined> {
    if (!id) return undefined;
    const raw = await this.deps.store.messages.rawOf(this.account.id, id).catch(() => undefined);
    return toWAMessage(raw)?.message ?? undefined;
  }

  private async forget(reason: string, code: number | undefined): Promise<void> {
    if (this.pairing) this.endPairing({ type: 'failed', code: 'logged_out', reason });
    await this.persist(
      async () => this.auth?.clear() ?? this.deps.store.whatsappWebAuth.clear(this.account.id),
    );
    this.auth = undefined;
    this.keys = undefined;
    await this.setState('logged_out', { reason, statusCode: code });
  }

  private emit(update: PairingUpdate): void {
    this.lastPairingUpdate = update;
    for (const listener of this.listeners) listener(update);
    this.pairingWrites = this.pairingWrites
      .then(() => this.deps.store.whatsappWebSessions.recordPairing(this.account.id, update))
      .catch((error: unknown) => this.log.error({ err: error }, 'recording a pairing update failed'));
  }

  private endPairing(update: PairingUpdate): void {
    this.emit(update);
    this.pairing = undefined;
    this.lastPairingUpdate = undefined;
    this.listeners.clear();
  }

  /** The start of a disconnection: the last moment the socket was known to be receiving. */
  private gapStart(): number {
    return Math.min(this.lastSignAt || Date.now(), Date.now());
  }

  private async touch(): Promise<void> {
    const now = Date.now();
    if (now - this.lastTouchAt < TOUCH_EVERY_MS) return;
    this.lastTouchAt = now;
    await this.persist(() => this.deps.store.whatsappWebSessions.touch(this.account.id, now));
  }

  private async setState(state: LinkedDeviceState, change: Omit<StateChange, 'state'> = {}): Promise<void> {
    await this.persist(() =>
      this.deps.store.whatsappWebSessions.setState(this.account.id, { state, ...change }),
    );
  }

  private timer(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running) run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.gapFill.abandon();
    this.stopWatchdog();
  }
}

/** The library's events as its `process` callback hands them over: several kinds at once. */
type SocketEventMap = Parameters<Parameters<SocketEvents['process']>[0]>[0];
