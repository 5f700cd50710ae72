import { DisconnectReason, type LIDMapping, proto, type WAMessage } from 'baileys';
import type { Logger } from 'pino';
import type { Account } from '../../core/model.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { IngestItem } from '../../ingest/types.js';
import type { Store } from '../../store/index.js';
import type { LinkedDeviceState, StateChange } from '../../store/repositories/whatsapp-web-sessions.js';
import { type StoredAuthState, storedAuthState } from './auth-state.js';
import {
  type GroupRecord,
  groupRecord,
  recordContacts,
  recordGroups,
  recordLidMappings,
} from './identity.js';
import { mapWebMessage } from './map.js';
import type { CaptureSocket, SocketEvents, SocketFactory } from './socket.js';

/** How a person pairs: scanning QR codes, or typing a code on the phone (Link with phone number). */
export type PairingRequest = { method: 'qr' } | { method: 'code' };

/** What a pairing screen is told, in order: QR codes (renewed every ~20 s) or one code, then the end. */
export type PairingUpdate =
  | { type: 'qr'; qr: string }
  | { type: 'code'; code: string }
  | { type: 'connected'; me: string }
  | { type: 'failed'; code: 'pairing_timeout' | 'logged_out' | 'pairing_failed' | 'stopped'; reason: string };

export interface SessionTiming {
  /** Wait before each reconnect attempt in a row; the last entry repeats. Jittered by up to 20%. */
  reconnectDelaysMs: readonly number[];
  /** A connected socket with no frame for this long is recycled. */
  watchdogMs: number;
  /** How often the watchdog looks. */
  watchdogCheckMs: number;
  /** After a reconnect, how long to wait for offline messages before filling the gap anyway. */
  gapSettleMs: number;
  /** A gap fill's requests that get no answer in this long are given up (the gap is closed). */
  gapTimeoutMs: number;
  /** Messages asked for per history request (the phone answers at most 50). */
  gapFillCount: number;
  /** Requests per chat for one gap before it is called filled. */
  gapFillRounds: number;
  /** Wait between attempts to store what arrived when the database refuses. */
  storeRetryMs: readonly number[];
}

export const DEFAULT_TIMING: SessionTiming = {
  reconnectDelaysMs: [1_000, 2_000, 5_000, 15_000, 30_000, 60_000],
  watchdogMs: 120_000,
  watchdogCheckMs: 15_000,
  gapSettleMs: 10_000,
  gapTimeoutMs: 300_000,
  gapFillCount: 50,
  gapFillRounds: 10,
  storeRetryMs: [500, 2_000, 5_000, 15_000, 60_000],
};

export interface SessionDependencies {
  store: Store;
  ingest: IngestPipeline;
  box: SecretBox;
  factory: SocketFactory;
  logger: Logger;
  timing?: Partial<SessionTiming> | undefined;
  /** Called once the session stops on its own (logged out, pairing over): its lease can go. */
  onEnded?: ((session: LinkedDeviceSession) => void) | undefined;
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

/** Why a socket closed, in words a person can act on. */
export function describeDisconnect(code: number | undefined, message: string | undefined): string {
  switch (code) {
    case DisconnectReason.loggedOut:
      return 'Logged out: the device was removed under Linked devices on the phone, or WhatsApp ended the session.';
    case DisconnectReason.forbidden:
      return 'WhatsApp refused the session (403); the number may be restricted.';
    case DisconnectReason.connectionReplaced:
      return 'Another connection took over this session (440).';
    case DisconnectReason.restartRequired:
      return 'WhatsApp asked for a restart (515), as it does right after pairing.';
    case DisconnectReason.badSession:
      return 'The session data was refused (500).';
    case DisconnectReason.multideviceMismatch:
      return 'Multi-device mismatch (411).';
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

/**
 * One linked-device account's connection to WhatsApp, capture only: it stores what arrives and
 * never sends a message, a read receipt or a presence. Events are handled one batch at a time, in
 * the order they came, and a batch the database refuses is retried until it is stored. A close
 * reconnects with backoff unless WhatsApp logged the device out; a socket that looks open but goes
 * silent is recycled; after a reconnect, the history each chat missed is asked for again.
 */
export class LinkedDeviceSession {
  private socket: CaptureSocket | undefined;
  private auth: StoredAuthState | undefined;
  private running = false;
  private failures = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private watchdog: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastSignAt = 0;
  private lastTouchAt = 0;
  private pairing: (PairingRequest & { codeRequested?: boolean }) | undefined;
  private readonly listeners = new Set<(update: PairingUpdate) => void>();
  private lastPairingUpdate: PairingUpdate | undefined;
  /** The gap being filled: since when, and the chats whose history requests are still out. */
  private gap: { since: number; requests: Map<string, { jid: string; rounds: number }> } | undefined;
  private gapSettle: NodeJS.Timeout | undefined;
  private readonly timing: SessionTiming;
  private readonly log: Logger;

  constructor(
    readonly account: Account,
    private readonly deps: SessionDependencies,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.log = deps.logger.child({ accountId: account.id });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Whether this session holds a paired device (it may still be connecting). */
  get isPaired(): boolean {
    return this.auth?.state.creds.me?.id !== undefined;
  }

  get isPairing(): boolean {
    return this.pairing !== undefined;
  }

  /** Connects (resuming the stored session), or starts pairing when `pairing` is given. */
  async start(pairing?: PairingRequest): Promise<void> {
    if (pairing) this.pairing = { ...pairing };
    if (this.running) return;
    this.running = true;
    await this.deps.store.whatsappWebSessions.ensure(this.account.id);
    await this.connect();
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
    if (this.pairing) this.endPairing({ type: 'failed', code: 'stopped', reason: 'wasync stopped.' });
    socket?.end(undefined);
    await this.idle();
    if (this.isPaired) {
      await this.deps.store.whatsappWebSessions.openGap(this.account.id, this.gapStart());
      await this.setState('disconnected', { reason: 'wasync stopped this session (shutdown or hand-over).' });
    } else {
      await this.setState('unpaired');
    }
  }

  /** Unlinks the device (WhatsApp removes it from the phone's Linked devices) and forgets the session. */
  async logout(): Promise<void> {
    const socket = this.socket;
    this.running = false;
    this.clearTimers();
    this.socket = undefined;
    if (socket) {
      try {
        await socket.logout('unlinked in wasync');
      } catch (error) {
        this.log.warn({ err: error }, 'logging out over the socket failed; forgetting the session anyway');
      }
      socket.end(undefined);
    }
    await this.idle();
    await this.forget('Unlinked in wasync.', undefined);
  }

  /** Asks the phone to upload a message's media again (WhatsApp's servers no longer hold it). */
  async reuploadMedia(message: WAMessage): Promise<WAMessage> {
    if (!this.socket)
      throw new Error('the session is not connected, so the phone cannot be asked to re-upload');
    return this.socket.updateMediaMessage(message);
  }

  /** Resolves once every event received so far has been handled. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const { store, box, factory } = this.deps;
    this.auth ??= await storedAuthState({
      accountId: this.account.id,
      repository: store.whatsappWebAuth,
      box,
    });
    await this.setState(this.isPaired ? 'connecting' : 'pairing');
    let socket: CaptureSocket;
    try {
      socket = await factory({
        auth: this.auth.state,
        getMessage: (key) => this.storedContent(key.id),
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
    ev.process((events) => {
      this.queue = this.queue.then(() => this.handle(socket, events));
    });
  }

  private async handle(socket: CaptureSocket, events: Parameters<Parameters<SocketEvents['process']>[0]>[0]) {
    if (socket === this.socket) this.lastSignAt = Date.now();
    if (events['creds.update'] && this.auth)
      await this.persist(() => (this.auth as StoredAuthState).saveCreds());
    if (events['connection.update']) await this.onConnection(socket, events['connection.update']);
    const { store, ingest } = this.deps;
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
    const history = events['messaging-history.set'];
    if (history) await this.onHistory(socket, history);
    const status = events['messaging-history.status'];
    if (status?.status === 'complete') {
      const phase = HISTORY_PHASES[status.syncType] ?? String(status.syncType);
      await this.persist(() => store.whatsappWebSessions.completeHistory(this.account.id, phase));
    }
    const upsert = events['messages.upsert'];
    if (upsert) {
      const items = this.map(upsert.messages);
      if (items.length) await this.persist(() => ingest.ingest(this.account, items));
    }
    await this.touch();
  }

  private async onConnection(
    socket: CaptureSocket,
    update: NonNullable<Parameters<Parameters<SocketEvents['process']>[0]>[0]['connection.update']>,
  ): Promise<void> {
    if (socket !== this.socket) return;
    if (update.qr) await this.onQr(socket, update.qr);
    if (update.connection === 'open') await this.onOpen(socket);
    if (update.receivedPendingNotifications && this.gapSettle) {
      clearTimeout(this.gapSettle);
      this.gapSettle = undefined;
      await this.fillGap(socket);
    }
    if (update.connection === 'close') {
      this.socket = undefined;
      const error = update.lastDisconnect?.error;
      await this.afterClose(statusCodeOf(error), error?.message);
    }
  }

  private async onQr(socket: CaptureSocket, qr: string): Promise<void> {
    const pairing = this.pairing;
    if (!pairing) {
      // The stored session no longer logs in and nobody asked to pair: a person has to.
      this.running = false;
      this.socket = undefined;
      socket.end(undefined);
      await this.setState('unpaired', {
        reason: 'The session needs pairing again (WhatsApp asked for a new QR scan).',
      });
      this.deps.onEnded?.(this);
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
        socket.end(undefined);
        await this.setState('unpaired', { reason: 'Pairing failed: no pairing code.' });
        this.deps.onEnded?.(this);
      }
      return;
    }
    this.emit({ type: 'qr', qr });
  }

  private async onOpen(socket: CaptureSocket): Promise<void> {
    this.failures = 0;
    const me = socket.user?.id ?? this.auth?.state.creds.me?.id;
    const stored = await this.deps.store.whatsappWebSessions.get(this.account.id);
    await this.setState('connected', { me, connectedAt: Date.now() });
    if (this.pairing) {
      this.log.info({ me }, 'paired');
      this.endPairing({ type: 'connected', me: me ?? '' });
    }
    this.startWatchdog(socket);
    this.queue = this.queue.then(() => this.fetchGroups(socket));
    if (stored?.gapSince) {
      this.gap = { since: stored.gapSince.getTime(), requests: new Map() };
      // Offline messages arrive first; the gap is filled once they have (or after a while anyway).
      this.gapSettle = this.timer(this.timing.gapSettleMs, () => {
        this.gapSettle = undefined;
        this.queue = this.queue.then(() => this.fillGap(socket));
      });
    }
  }

  /** Every close but a log-out reconnects, sooner after a restart request, later after each failure. */
  private async afterClose(code: number | undefined, message: string | undefined): Promise<void> {
    this.stopWatchdog();
    if (!this.running) return;
    const reason = describeDisconnect(code, message);
    if (code === DisconnectReason.loggedOut || code === DisconnectReason.forbidden) {
      this.running = false;
      await this.forget(reason, code);
      this.deps.onEnded?.(this);
      return;
    }
    if (code === DisconnectReason.restartRequired) {
      await this.setState('connecting', { reason, statusCode: code });
      await this.connect();
      return;
    }
    if (!this.isPaired) {
      // QR codes ran out (or the pairing code expired) before the phone confirmed.
      this.running = false;
      const ended = 'Pairing ended: nothing was scanned or entered on the phone in time.';
      this.endPairing({ type: 'failed', code: 'pairing_timeout', reason: ended });
      await this.setState('unpaired', { reason: ended, statusCode: code });
      this.deps.onEnded?.(this);
      return;
    }
    await this.persist(() => this.deps.store.whatsappWebSessions.openGap(this.account.id, this.gapStart()));
    await this.retryLater(code, reason);
  }

  private async retryLater(code: number | undefined, reason: string): Promise<void> {
    const delays = this.timing.reconnectDelaysMs;
    const base = delays[Math.min(this.failures, delays.length - 1)] ?? 1_000;
    this.failures += 1;
    const delay = Math.round(base * (1 + Math.random() * 0.2));
    await this.setState('disconnected', {
      reason: `${reason} Reconnecting in ${Math.max(1, Math.round(delay / 1000))} s.`,
      statusCode: code,
    });
    this.timer(delay, () => {
      this.queue = this.queue.then(() => this.connect());
    });
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
      socket.end(new Error('no sign of life'));
      this.queue = this.queue.then(() =>
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
    history: NonNullable<Parameters<Parameters<SocketEvents['process']>[0]>[0]['messaging-history.set']>,
  ): Promise<void> {
    const { store, ingest } = this.deps;
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
    for (let i = 0; i < items.length; i += INGEST_BATCH) {
      const batch = items.slice(i, i + INGEST_BATCH);
      await this.persist(() => ingest.ingest(this.account, batch));
    }
    const phase = HISTORY_PHASES[history.syncType ?? -1] ?? String(history.syncType ?? 'unknown');
    await this.persist(() =>
      store.whatsappWebSessions.recordHistoryChunk(this.account.id, phase, {
        order: history.chunkOrder ?? undefined,
        messages: history.messages.length,
        progress: history.progress ?? undefined,
      }),
    );
    if (history.syncType === proto.HistorySync.HistorySyncType.ON_DEMAND)
      await this.continueGap(socket, history);
  }

  /**
   * Asks the phone for what each chat missed during the disconnection: for every chat with a message
   * since the gap began, the messages before its earliest such one. Answers come back as on-demand
   * history chunks (stored like any other), and a full answer that still ends inside the gap asks again.
   */
  private async fillGap(socket: CaptureSocket): Promise<void> {
    const gap = this.gap;
    if (!gap || socket !== this.socket) return;
    const firsts = await this.deps.store.messages.firstSince(this.account.id, gap.since);
    for (const first of firsts) {
      const message = toWAMessage(first.raw);
      if (!message?.key?.remoteJid || socket !== this.socket) continue;
      await this.requestHistory(socket, message, { jid: message.key.remoteJid, rounds: 1 });
    }
    if (gap.requests.size === 0) await this.closeGap();
    else this.timer(this.timing.gapTimeoutMs, () => void this.closeGap());
  }

  private async continueGap(
    socket: CaptureSocket,
    history: { messages: WAMessage[]; peerDataRequestSessionId?: string | null },
  ): Promise<void> {
    const gap = this.gap;
    if (!gap) return;
    const requestId = history.peerDataRequestSessionId ?? undefined;
    const jid = history.messages[0]?.key.remoteJid ?? undefined;
    const entry =
      (requestId && gap.requests.has(requestId)
        ? ([requestId, gap.requests.get(requestId)] as const)
        : undefined) ?? [...gap.requests.entries()].find(([, request]) => request.jid === jid);
    if (!entry?.[1]) return;
    const [id, request] = entry;
    gap.requests.delete(id);
    const oldest = history.messages.reduce<WAMessage | undefined>(
      (found, m) => (!found || Number(m.messageTimestamp) < Number(found.messageTimestamp) ? m : found),
      undefined,
    );
    const oldestAt = Number(oldest?.messageTimestamp ?? 0) * 1000;
    if (
      oldest &&
      history.messages.length >= this.timing.gapFillCount &&
      oldestAt > gap.since &&
      request.rounds < this.timing.gapFillRounds
    ) {
      await this.requestHistory(socket, oldest, { jid: request.jid, rounds: request.rounds + 1 });
    }
    if (gap.requests.size === 0) await this.closeGap();
  }

  private async requestHistory(
    socket: CaptureSocket,
    before: WAMessage,
    request: { jid: string; rounds: number },
  ): Promise<void> {
    try {
      const id = await socket.fetchMessageHistory(
        this.timing.gapFillCount,
        before.key,
        Number(before.messageTimestamp ?? 0) * 1000,
      );
      this.gap?.requests.set(id, request);
    } catch (error) {
      this.log.warn({ err: error, chat: request.jid }, 'asking the phone for missed history failed');
    }
  }

  private async closeGap(): Promise<void> {
    if (!this.gap) return;
    this.gap = undefined;
    await this.persist(() => this.deps.store.whatsappWebSessions.closeGap(this.account.id));
  }

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
  }

  private map(messages: readonly WAMessage[]): IngestItem[] {
    return messages.flatMap((message) => {
      try {
        return mapWebMessage(message, { accountId: this.account.id });
      } catch (error) {
        this.log.error({ err: error, id: message.key?.id }, 'a message could not be read; skipped');
        return [];
      }
    });
  }

  /**
   * Runs a write until it succeeds: what the socket delivered exists nowhere else on this side, so a
   * database that refuses for a while delays the events behind it rather than losing them.
   */
  private async persist<T>(write: () => Promise<T>): Promise<T | undefined> {
    const delays = this.timing.storeRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1_000;
        this.log.error({ err: error, attempt }, `storing what WhatsApp sent failed; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async storedContent(id: string | null | undefined): Promise<proto.IMessage | undefined> {
    if (!id) return undefined;
    const raw = await this.deps.store.messages.rawOf(this.account.id, id);
    return toWAMessage(raw)?.message ?? undefined;
  }

  private async forget(reason: string, code: number | undefined): Promise<void> {
    if (this.pairing) this.endPairing({ type: 'failed', code: 'logged_out', reason });
    await this.auth?.clear();
    this.auth = undefined;
    await this.setState('logged_out', { reason, statusCode: code });
  }

  private emit(update: PairingUpdate): void {
    this.lastPairingUpdate = update;
    for (const listener of this.listeners) listener(update);
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
    this.gapSettle = undefined;
    this.stopWatchdog();
  }
}

/** A stored message's payload back as the library's type (it was stored as its plain-object form). */
export function toWAMessage(raw: unknown): WAMessage | undefined {
  if (!raw || typeof raw !== 'object' || !('key' in raw)) return undefined;
  try {
    return proto.WebMessageInfo.fromObject(raw as Record<string, unknown>) as WAMessage;
  } catch {
    return undefined;
  }
}
