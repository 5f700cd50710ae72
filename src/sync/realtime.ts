/**
 * Near-real-time sync: a stored message asks for a run of the CRM connections its chat reaches within
 * seconds, instead of waiting for the interval's sweep (which stays, as the safety net for whatever
 * this misses: a process that stops with a run pending, a message stored by another process).
 *
 * Per connection, messages are debounced: the run is asked for once the chats have been quiet for
 * `quietMs`, and at the latest `maxWaitMs` after the first message of the burst, so a conversation
 * typed in bursts costs one run, not one per message. The queue keeps one writer per connection; this
 * only asks (`enqueue`), and a run already asked for sooner stays sooner.
 *
 * The CRM's budget: real-time runs of one connection start at least `minGapMs` apart (counted from the
 * last run the queue started, whichever process started it, so an interval run counts too), and none is
 * asked for while the connection is parked or its job waits out a retry: a spent request allocation
 * (Salesforce's REQUEST_LIMIT_EXCEEDED, Bitrix24's QUERY_LIMIT_EXCEEDED, our own daily count), a CRM
 * that said to wait, a failure backing off. That retry carries the new messages with it.
 */
import type { Logger } from 'pino';
import type { Chat } from '../core/model.js';
import type { Store } from '../store/index.js';
import { exclusionOf } from './engine.js';

/**
 * Defaults, chosen for a p95 of a few seconds from message to CRM while keeping the CRM's cost of a
 * busy connection bounded:
 * - quiet 1 s: messages of one burst (a person typing several lines) arrive within a second of each
 *   other, and one run then writes them all;
 * - max wait 3 s: a chat that never goes quiet (a busy group) still reaches the CRM within seconds;
 * - min gap 3 s between real-time runs of one connection. A run writes every chat changed since the
 *   last one in batched calls (Salesforce: the changed chats' notes in collections of 200, so about
 *   two calls for up to 200 chats, as the bench's "next sync" figure shows), so its cost grows with the
 *   runs, not with the messages: at most 1,200 runs in an hour of constant traffic, about 2,400 calls,
 *   a small share of an Enterprise org's daily allocation (100,000 plus 1,000 per licence). When an
 *   allocation is spent anyway, runs stop (above) until the CRM has room, and a smaller org can turn
 *   the setting off and sync on the interval alone.
 */
export const REALTIME_DEFAULTS = { quietMs: 1_000, maxWaitMs: 3_000, minGapMs: 3_000 } as const;

/** Time for the debouncer: the real clock and timers, or a test's. */
export interface RealtimeClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: RealtimeClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const timer = setTimeout(run, ms);
    // A pending debounce never keeps a process alive: the interval sweep catches what it drops.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What the debouncer reads of a connection's job in the queue. */
export interface RealtimeJobState {
  runAt: Date | undefined;
  attempts: number;
  lastStartedAt: Date | undefined;
}

/** Where real-time runs are asked for: the sync service (and its queue) in wasync. */
export interface RealtimeTarget {
  enqueue(connectionId: string, reason: string): Promise<void>;
  jobState(connectionId: string): Promise<RealtimeJobState | undefined>;
}

export interface RealtimeOptions {
  store: Store;
  workspaceId: string;
  target: RealtimeTarget;
  logger: Logger;
  /** Subscribes to the ingest pipeline's changed chats; answers the unsubscribe (see start). */
  listen?: (listener: (accountId: string, chatIds: string[]) => void) => () => void;
  clock?: RealtimeClock;
  quietMs?: number;
  maxWaitMs?: number;
  minGapMs?: number;
}

/** The reason a real-time run carries in the queue (the Sync page shows it). */
export const REALTIME_REASON = 'new messages';

interface Pending {
  firstAt: number;
  lastAt: number;
  timer: unknown;
  dueAt: number;
}

export class RealtimeSync {
  private readonly clock: RealtimeClock;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly minGapMs: number;
  private readonly pending = new Map<string, Pending>();
  /** When this process last asked for a real-time run of each connection. */
  private readonly lastAsked = new Map<string, number>();
  private readonly work = new Set<Promise<void>>();
  private stopped = false;
  private unlisten: (() => void) | undefined;

  constructor(private readonly options: RealtimeOptions) {
    this.clock = options.clock ?? systemClock;
    this.quietMs = options.quietMs ?? REALTIME_DEFAULTS.quietMs;
    this.maxWaitMs = options.maxWaitMs ?? REALTIME_DEFAULTS.maxWaitMs;
    this.minGapMs = options.minGapMs ?? REALTIME_DEFAULTS.minGapMs;
  }

  /** Starts listening to stored messages (`wasync serve`: where messages arrive). */
  start(): void {
    if (this.unlisten || !this.options.listen) return;
    this.stopped = false;
    this.unlisten = this.options.listen(this.chatsChanged);
  }

  /** The ingest pipeline's listener: these chats of the account have new or changed messages. */
  readonly chatsChanged = (accountId: string, chatIds: readonly string[]): void => {
    if (this.stopped || chatIds.length === 0) return;
    this.track(this.noteChats(accountId, chatIds), 'could not queue a real-time sync');
  };

  /** Resolves once nothing this debouncer started is still going on (tests wait on it). */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /** Connections with a run waiting to be asked for, and when. */
  scheduled(): Map<string, number> {
    return new Map([...this.pending].map(([id, p]) => [id, p.dueAt]));
  }

  /** Drops every pending run (the interval sweep picks up what they would have written). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = undefined;
    for (const p of this.pending.values()) this.clock.clearTimeout(p.timer);
    this.pending.clear();
    await this.idle();
  }

  private async noteChats(accountId: string, chatIds: readonly string[]): Promise<void> {
    const { store, workspaceId } = this.options;
    // Read fresh each time: turning the setting off stops real-time runs at once, without a restart.
    if (!(await store.workspaces.settings(workspaceId)).realTime) return;
    const [chats, exclusions] = await Promise.all([
      store.chats.getMany(workspaceId, chatIds),
      store.exclusions.matcher(workspaceId),
    ]);
    // An excluded chat never reaches a CRM, so its messages ask for no run.
    const reaching = [...chats.values()].filter(
      (chat: Chat) => chat.accountId === accountId && exclusionOf(chat, exclusions) === undefined,
    );
    if (reaching.length === 0) return;
    // Every active connection of the workspace syncs all of its chats (none is scoped to numbers).
    const connections = await store.connections.list(workspaceId);
    const now = this.clock.now();
    for (const connection of connections) {
      if (connection.state !== 'active' || this.stopped) continue;
      const p = this.pending.get(connection.id);
      if (p) {
        p.lastAt = now;
        this.arm(connection.id, p);
      } else {
        this.arm(connection.id, { firstAt: now, lastAt: now, timer: undefined, dueAt: now });
      }
    }
  }

  /** (Re)sets the connection's timer for when its burst is over, or has waited long enough. */
  private arm(connectionId: string, p: Pending, notBefore = 0): void {
    const debounced = Math.min(p.lastAt + this.quietMs, p.firstAt + this.maxWaitMs);
    const gap = (this.lastAsked.get(connectionId) ?? Number.NEGATIVE_INFINITY) + this.minGapMs;
    const dueAt = Math.max(debounced, gap, notBefore);
    if (p.timer !== undefined && dueAt === p.dueAt) return;
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.dueAt = dueAt;
    p.timer = this.clock.setTimeout(
      () => this.track(this.fire(connectionId, p), 'could not queue a real-time sync'),
      Math.max(0, dueAt - this.clock.now()),
    );
    this.pending.set(connectionId, p);
  }

  private async fire(connectionId: string, p: Pending): Promise<void> {
    if (this.pending.get(connectionId) !== p || this.stopped) return;
    const { store, workspaceId, target } = this.options;
    const now = this.clock.now();
    const [settings, connection, job] = await Promise.all([
      store.workspaces.settings(workspaceId),
      store.connections.find(workspaceId, connectionId),
      target.jobState(connectionId),
    ]);
    if (this.pending.get(connectionId) !== p || this.stopped) return;
    // The last run, whoever started it, counts against the gap: wait for the rest of it.
    const started = job?.lastStartedAt?.getTime();
    if (started !== undefined && started + this.minGapMs > now && started <= now) {
      p.timer = undefined;
      this.arm(connectionId, p, started + this.minGapMs);
      return;
    }
    this.pending.delete(connectionId);
    if (!settings.realTime || !connection || connection.state !== 'active') return;
    // Waiting out a retry (spent allocation, the CRM said to wait, a failure): that run comes first.
    if (job && job.attempts > 0 && job.runAt !== undefined && job.runAt.getTime() > now) return;
    this.lastAsked.set(connectionId, now);
    await target.enqueue(connectionId, REALTIME_REASON);
  }

  private track(work: Promise<void>, what: string): void {
    const tracked = work
      .catch((error: unknown) => this.options.logger.warn({ err: error }, what))
      .finally(() => this.work.delete(tracked));
    this.work.add(tracked);
  }
}
