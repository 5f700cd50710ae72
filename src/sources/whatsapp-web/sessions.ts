import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { BackgroundPass } from '../../core/background-pass.js';
import { WasyncError } from '../../core/errors.js';
import type { Account } from '../../core/model.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { Store } from '../../store/index.js';
import type { LinkedDeviceSession, PairingRequest, SessionTiming } from './session.js';
import type { SocketFactory } from './socket.js';

export interface LinkedDevicesOptions {
  store: Store;
  ingest: IngestPipeline;
  box: SecretBox;
  factory: SocketFactory;
  logger: Logger;
  /** How long a process's claim on a session lasts without renewal; renewed every third of it. */
  leaseMs?: number;
  timing?: Partial<SessionTiming> | undefined;
}

/**
 * The linked-device sessions this process runs. Each account's session runs in one process at a
 * time, whichever holds its lease in the store: the serve process picks up every paired session
 * nobody runs, `wasync link-device` takes the lease while it pairs, and a process that dies lets its
 * leases run out so another takes over, resuming from the stored auth state without pairing again.
 */
export class LinkedDevices {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly sessions = new Map<string, LinkedDeviceSession>();
  private readonly loop: BackgroundPass;
  private readonly leaseMs: number;
  /** The first pass also resumes sessions stopped because another copy replaced them. */
  private firstPass = true;

  constructor(private readonly options: LinkedDevicesOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.loop = new BackgroundPass(() => this.tend(), {
      pollMs: Math.round(this.leaseMs / 3),
      onError: (error) => options.logger.error({ err: error }, 'tending linked-device sessions failed'),
    });
  }

  /** Keeps every paired session connected from now on (what `wasync serve` runs). */
  start(): void {
    this.loop.start();
  }

  /** Stops every session this process runs (pairings too) and gives their leases back. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.all([...this.sessions.values()].map((session) => this.release(session)));
  }

  get(accountId: string): LinkedDeviceSession | undefined {
    return this.sessions.get(accountId);
  }

  /**
   * Starts pairing `account`, opted in by `optedInBy` (who accepted the risk), and returns its
   * session to follow with `onPairing`. A pairing already under way is joined.
   */
  async pair(account: Account, request: PairingRequest, optedInBy: string): Promise<LinkedDeviceSession> {
    if (account.sourceKind !== 'linked_device') {
      throw new WasyncError('validation_failed', `Account ${account.id} is not a linked-device account.`, {
        issues: [{ field: 'accountId', message: `its source is ${account.sourceKind}` }],
      });
    }
    const { store } = this.options;
    const running = this.sessions.get(account.id);
    if (running?.isPaired || (!running && (await store.whatsappWebSessions.get(account.id))?.me)) {
      throw new WasyncError(
        'conflict',
        `${account.phone} is linked already; unlink it before pairing again.`,
      );
    }
    await store.whatsappWebSessions.optIn(account.id, optedInBy);
    const session = running ?? (await this.claim(account));
    await session.start(request);
    return session;
  }

  /**
   * Starts again a session stopped because another copy replaced it (440), once the person who
   * asks has stopped the other copy: the same as restarting wasync, for that one session.
   */
  async resume(account: Account): Promise<LinkedDeviceSession> {
    const stored = await this.options.store.whatsappWebSessions.get(account.id);
    if (account.sourceKind !== 'linked_device' || stored?.state !== 'replaced') {
      throw new WasyncError(
        'conflict',
        `${account.phone} was not stopped by another copy of its session; there is nothing to resume.`,
      );
    }
    const session = await this.claim(account);
    await session.start();
    return session;
  }

  /** Unlinks an account's device and forgets its session, wherever it was running. */
  async unlink(account: Account): Promise<void> {
    const session = this.sessions.get(account.id) ?? (await this.claim(account));
    this.sessions.delete(account.id);
    try {
      await session.logout();
    } finally {
      await this.options.store.whatsappWebSessions.releaseLease(account.id, this.owner);
    }
  }

  /** Waits until every session has handled what it has received (for tests and orderly hand-over). */
  async idle(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.idle()));
  }

  /**
   * Renews the leases held, drops sessions another process took, starts paired ones nobody runs. A
   * session another copy replaced is started only by a process's first pass: restarting wasync is how
   * a person says the other copy is gone.
   */
  async tend(): Promise<void> {
    const { store, logger } = this.options;
    for (const [accountId, session] of this.sessions) {
      if (!(await store.whatsappWebSessions.acquireLease(accountId, this.owner, this.leaseMs))) {
        logger.warn({ accountId }, 'another process took over this linked-device session');
        this.sessions.delete(accountId);
        await session.stop();
      }
    }
    const paired = await store.whatsappWebSessions.paired({ replaced: this.firstPass });
    this.firstPass = false;
    for (const accountId of paired) {
      if (this.sessions.has(accountId)) continue;
      if (!(await store.whatsappWebSessions.acquireLease(accountId, this.owner, this.leaseMs))) continue;
      const account = await store.accounts.byId(accountId);
      if (!account) continue;
      const session = await this.create(account);
      this.sessions.set(accountId, session);
      await session.start();
    }
  }

  private async claim(account: Account): Promise<LinkedDeviceSession> {
    const { store } = this.options;
    await store.whatsappWebSessions.ensure(account.id);
    if (!(await store.whatsappWebSessions.acquireLease(account.id, this.owner, this.leaseMs))) {
      throw new WasyncError(
        'conflict',
        `Another wasync process runs the session of ${account.phone}; try again there, or once it stops.`,
      );
    }
    const session = await this.create(account);
    this.sessions.set(account.id, session);
    return session;
  }

  private async create(account: Account): Promise<LinkedDeviceSession> {
    const { store, ingest, box, factory, logger, timing } = this.options;
    // The session module loads the WhatsApp library: only once a session is wanted.
    const { LinkedDeviceSession } = await import('./session.js');
    return new LinkedDeviceSession(account, {
      store,
      ingest,
      box,
      factory,
      logger: logger.child({ component: 'linked-device' }),
      timing,
      onEnded: async (session) => {
        if (this.sessions.get(account.id) !== session) return;
        this.sessions.delete(account.id);
        await store.whatsappWebSessions.releaseLease(account.id, this.owner);
      },
    });
  }

  private async release(session: LinkedDeviceSession): Promise<void> {
    const accountId = session.account.id;
    this.sessions.delete(accountId);
    await session.stop();
    await this.options.store.whatsappWebSessions.releaseLease(accountId, this.owner);
  }
}
