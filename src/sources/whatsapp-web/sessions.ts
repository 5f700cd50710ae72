import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { BackgroundPass } from '../../core/background-pass.js';
import { WasyncError } from '../../core/errors.js';
import type { Account } from '../../core/model.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { Store } from '../../store/index.js';
import type { PairingUpdate, SessionRequestKind } from '../../store/repositories/whatsapp-web-sessions.js';
import type { LinkedDeviceSession, PairingRequest, SessionTiming } from './session.js';
import type { SocketFactory } from './socket.js';

/**
 * What a `wasync worker` passes as `maxSessions`: linked-device sockets are a few tens of MB each, and
 * a cap lets several workers share the sessions. `wasync serve` (embedded) holds every session.
 */
export const WORKER_SESSION_CAP = 50;

export interface LinkedDevicesOptions {
  store: Store;
  ingest: IngestPipeline;
  box: SecretBox;
  factory: SocketFactory;
  logger: Logger;
  /**
   * How long a process's hold on a session lasts without renewal (30 s); renewed every third of it.
   * A holder that cannot renew drops its socket a sixth of it before the lease runs out.
   */
  leaseMs?: number;
  /** How often a started process looks for requests (pair, resume, unlink) made by another (1 s). */
  requestPollMs?: number;
  /**
   * The most sessions this process takes of those nobody holds (unlimited: one `wasync serve` holds
   * them all). A request to pair, resume or unlink is served beyond it: a person is waiting.
   */
  maxSessions?: number;
  /**
   * False in a process that serves the API only: it holds no session and hands every request to the
   * process that holds (or takes) the session, through the store.
   */
  holdsSessions?: boolean;
  /** How long a request handed to another process may wait for one to take it (the lease + 15 s). */
  requestTimeoutMs?: number;
  timing?: Partial<SessionTiming> | undefined;
}

/** Pairing progress, wherever the session runs: the latest update is replayed to a late listener. */
export interface PairingFeed {
  onPairing(listener: (update: PairingUpdate) => void): () => void;
  /** Resolves once what the pairing produced so far is stored. */
  idle(): Promise<void>;
}

const ended = (update: PairingUpdate | undefined) =>
  update?.type === 'connected' || update?.type === 'failed';

/**
 * The linked-device sessions this process runs. Each account's session runs in exactly one process,
 * whichever holds its lease in the store, renewed every third of the lease; a holder that cannot renew
 * drops the socket before the lease runs out, so two sockets never serve one account. A started
 * process (`wasync serve`, `wasync worker`) takes paired sessions nobody holds, up to `maxSessions`,
 * so several workers share them; when a holder dies its leases run out and another takes over,
 * resuming from the stored auth state and filling the gap since the dead holder's last renewal.
 * Requests (pair, resume, unlink) made in a process that does not hold the session go through the
 * store to the one that holds or takes it, and pairing progress comes back the same way.
 */
export class LinkedDevices {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly sessions = new Map<string, LinkedDeviceSession>();
  /** Per session held: drops it if the lease was not renewed in time. */
  private readonly guards = new Map<string, NodeJS.Timeout>();
  private readonly renewals: BackgroundPass;
  private readonly requests: BackgroundPass;
  private readonly leaseMs: number;
  private readonly requestPollMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxSessions: number;
  private readonly holdsSessions: boolean;
  private started = false;
  private tending: Promise<void> = Promise.resolve();
  private renewing = false;
  /** The first pass also resumes sessions stopped because another copy replaced them. */
  private firstPass = true;

  constructor(private readonly options: LinkedDevicesOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.requestPollMs = options.requestPollMs ?? 1_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? this.leaseMs + 15_000;
    this.maxSessions = options.maxSessions ?? Number.POSITIVE_INFINITY;
    this.holdsSessions = options.holdsSessions ?? true;
    this.renewals = new BackgroundPass(() => (this.started ? this.tend() : this.renew()), {
      pollMs: Math.round(this.leaseMs / 3),
      onError: (error) => options.logger.error({ err: error }, 'tending linked-device sessions failed'),
    });
    this.requests = new BackgroundPass(() => this.serveRequests(), {
      pollMs: this.requestPollMs,
      onError: (error) => options.logger.error({ err: error }, 'serving linked-device requests failed'),
    });
  }

  /**
   * Runs background work from now on: keeps paired sessions nobody holds connected (up to
   * `maxSessions`) and serves requests made elsewhere. What `wasync serve` and `wasync worker` run;
   * a process serving the API only never calls it.
   */
  start(): void {
    if (!this.holdsSessions)
      throw new Error('a process that holds no linked-device session cannot start them');
    this.started = true;
    this.renewing = true;
    this.renewals.start();
    this.requests.start();
  }

  /** Stops every session this process runs (pairings too) and gives their leases back. */
  async stop(): Promise<void> {
    this.started = false;
    this.renewing = false;
    await this.requests.stop();
    await this.renewals.stop();
    await Promise.all([...this.sessions.values()].map((session) => this.release(session)));
  }

  /** The session of `accountId` if this process runs it. */
  get(accountId: string): LinkedDeviceSession | undefined {
    return this.sessions.get(accountId);
  }

  /**
   * Starts pairing `account`, opted in by `optedInBy` (who accepted the risk), and returns its progress.
   * A pairing already under way here is joined. Run here when this process may hold the session and
   * nobody else does; else asked of the process that holds (or takes) it, its progress read from the
   * store.
   */
  async pair(account: Account, request: PairingRequest, optedInBy: string): Promise<PairingFeed> {
    if (account.sourceKind !== 'linked_device') {
      throw new WasyncError('validation_failed', `Account ${account.id} is not a linked-device account.`, {
        issues: [{ field: 'accountId', message: `its source is ${account.sourceKind}` }],
      });
    }
    const { store } = this.options;
    await this.refuseLinked(account);
    await store.whatsappWebSessions.optIn(account.id, optedInBy);
    const here = await this.hold(account);
    if (here) {
      await here.start(request);
      return here;
    }
    const asked = await store.whatsappWebSessions.request(account.id, 'pair', request.method);
    this.requests.wake();
    return this.followStored(account.id, asked.id, asked.seq);
  }

  /**
   * Follows a pairing under way, wherever it runs (a reloaded page); undefined when none is. One
   * asked of a process that has not taken it yet counts as under way.
   */
  async follow(account: Account): Promise<PairingFeed | undefined> {
    const running = this.sessions.get(account.id);
    if (running?.isPairing) return running;
    const stored = await this.options.store.whatsappWebSessions.get(account.id);
    if (!stored) return undefined;
    const asked = stored.request;
    if (asked?.kind === 'pair' && !asked.doneAt)
      return this.followStored(account.id, asked.id, stored.pairing.seq);
    const live =
      stored.leaseOwner !== undefined &&
      stored.leaseOwner !== this.owner &&
      (stored.leaseUntil?.getTime() ?? 0) >= Date.now();
    if (!live || stored.state !== 'pairing') return undefined;
    const latest = stored.pairing;
    // The latest update is replayed, as a session replays it: a page opened late shows the current QR.
    return this.followStored(
      account.id,
      undefined,
      latest.update && !ended(latest.update) ? latest.seq - 1 : latest.seq,
    );
  }

  /**
   * Starts again a session stopped because another copy replaced it (440), once the person who
   * asks has stopped the other copy: the same as restarting wasync, for that one session.
   */
  async resume(account: Account): Promise<void> {
    await this.refuseUnreplaced(account);
    const here = await this.hold(account);
    if (here) return here.start();
    await this.handOver(account, 'resume');
  }

  /** Unlinks an account's device and forgets its session, wherever it was running. */
  async unlink(account: Account): Promise<void> {
    const here = await this.hold(account);
    if (here) return this.logout(here);
    await this.handOver(account, 'unlink');
  }

  /** Waits until every session has handled what it has received (for tests and orderly hand-over). */
  async idle(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.idle()));
  }

  /**
   * Renews the leases held, drops sessions another process took, and takes paired ones nobody holds
   * (up to `maxSessions`). A session another copy replaced is started only by a process's first pass:
   * restarting wasync is how a person says the other copy is gone.
   */
  async tend(): Promise<void> {
    // One pass at a time, whoever calls: two would count the cap twice.
    const pass = this.tending.then(() => this.tendOnce());
    this.tending = pass.catch(() => undefined);
    return pass;
  }

  private async tendOnce(): Promise<void> {
    if (!this.holdsSessions) return;
    const { store, logger } = this.options;
    await this.renew();
    const unheld = await store.whatsappWebSessions.paired({ replaced: this.firstPass, unheldAt: Date.now() });
    this.firstPass = false;
    let waiting = 0;
    for (const accountId of unheld) {
      if (this.sessions.has(accountId)) continue;
      if (this.sessions.size >= this.maxSessions) {
        waiting += 1;
        continue;
      }
      const account = await store.accounts.byId(accountId);
      if (!account) continue;
      const session = await this.take(account);
      if (session) await session.start();
    }
    if (waiting > 0) {
      logger.warn(
        { waiting, held: this.sessions.size, maxSessions: this.maxSessions },
        'linked-device sessions wait for a process to hold them: this one holds its most',
      );
    }
  }

  /** Does what other processes asked of sessions this one holds, or takes (pair, resume, unlink). */
  async serveRequests(): Promise<void> {
    if (!this.holdsSessions) return;
    const { store, logger } = this.options;
    for (const pending of await store.whatsappWebSessions.pendingRequests(this.owner)) {
      const account = await store.accounts.byId(pending.accountId);
      let error: string | undefined;
      try {
        if (!account) throw new WasyncError('not_found', `No account ${pending.accountId}.`);
        if (pending.kind === 'pair') await this.refuseLinked(account);
        if (pending.kind === 'resume') await this.refuseUnreplaced(account);
        const here = await this.hold(account);
        if (!here) continue; // another process took it first: that one serves the request
        if (pending.kind === 'pair') await here.start({ method: pending.method ?? 'qr' });
        else if (pending.kind === 'resume') await here.start();
        else await this.logout(here);
      } catch (failure) {
        error = (failure as Error).message;
        logger.warn(
          { err: failure, accountId: pending.accountId, kind: pending.kind },
          'a linked-device request failed',
        );
      }
      await store.whatsappWebSessions.finishRequest(pending.accountId, pending.id, error);
    }
  }

  /** Refuses to pair an account whose device is linked already. */
  private async refuseLinked(account: Account): Promise<void> {
    const running = this.sessions.get(account.id);
    const stored = running ? undefined : await this.options.store.whatsappWebSessions.get(account.id);
    if (running?.isPaired || stored?.me) {
      throw new WasyncError(
        'conflict',
        `${account.phone} is linked already; unlink it before pairing again.`,
      );
    }
  }

  private async refuseUnreplaced(account: Account): Promise<void> {
    const stored = await this.options.store.whatsappWebSessions.get(account.id);
    if (account.sourceKind !== 'linked_device' || stored?.state !== 'replaced') {
      throw new WasyncError(
        'conflict',
        `${account.phone} was not stopped by another copy of its session; there is nothing to resume.`,
      );
    }
  }

  /** The account's session in this process: the one it runs, or a new one if it could take the lease. */
  private async hold(account: Account): Promise<LinkedDeviceSession | undefined> {
    if (!this.holdsSessions) return undefined;
    const running = this.sessions.get(account.id);
    if (running) return running;
    await this.options.store.whatsappWebSessions.ensure(account.id);
    return this.take(account);
  }

  /**
   * Takes the account's lease and makes its session (not started). A lease still held, but let run out
   * (its holder died or lost the database; or this process, which dropped the socket when it could not
   * renew), leaves a gap nobody noted: counted from that holder's last renewal, the last time it was
   * known to hold the socket, and filled once connected. A lease given back noted its gap already.
   */
  private async take(account: Account): Promise<LinkedDeviceSession | undefined> {
    const { store, logger } = this.options;
    const at = Date.now();
    const grant = await store.whatsappWebSessions.acquireLease(account.id, this.owner, this.leaseMs, at);
    if (!grant) return undefined;
    if (grant.previous) {
      logger.warn(
        { accountId: account.id, from: grant.previous.owner },
        'taking over a linked-device session whose holder stopped renewing',
      );
      if ((await store.whatsappWebSessions.get(account.id))?.me)
        await store.whatsappWebSessions.openGap(account.id, grant.previous.until - this.leaseMs);
    }
    const session = await this.create(account);
    this.sessions.set(account.id, session);
    this.guard(account.id, session, at);
    if (!this.renewing) {
      // A process that is not started (`wasync link-device`) still renews what it holds.
      this.renewing = true;
      this.renewals.start();
    }
    return session;
  }

  /**
   * Renews each lease held. One another process took is dropped at once; one that could not be
   * renewed (the database is unreachable) is dropped by its guard before it can run out.
   */
  private async renew(): Promise<void> {
    const { store, logger } = this.options;
    for (const [accountId, session] of [...this.sessions]) {
      const at = Date.now();
      let grant: Awaited<ReturnType<typeof store.whatsappWebSessions.acquireLease>>;
      try {
        grant = await store.whatsappWebSessions.acquireLease(accountId, this.owner, this.leaseMs, at);
      } catch (error) {
        logger.error({ err: error, accountId }, 'renewing a linked-device lease failed');
        continue;
      }
      if (this.sessions.get(accountId) !== session) continue;
      if (grant) this.guard(accountId, session, at);
      else {
        logger.warn({ accountId }, 'another process took over this linked-device session');
        this.drop(accountId, session);
      }
    }
  }

  /** Drops the session a sixth of the lease before a lease renewed at `renewedAt` would run out. */
  private guard(accountId: string, session: LinkedDeviceSession, renewedAt: number): void {
    clearTimeout(this.guards.get(accountId));
    const deadline = renewedAt + this.leaseMs - Math.round(this.leaseMs / 6);
    const timer = setTimeout(
      () => {
        if (this.sessions.get(accountId) !== session) return;
        this.options.logger.error(
          { accountId },
          'the linked-device lease could not be renewed in time; socket dropped',
        );
        this.drop(accountId, session);
      },
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
    this.guards.set(accountId, timer);
  }

  /** Forgets a session this process no longer holds, ending its socket at once; the lease is not touched. */
  private drop(accountId: string, session: LinkedDeviceSession): void {
    this.forget(accountId, session);
    session.halt();
  }

  private forget(accountId: string, session: LinkedDeviceSession): boolean {
    if (this.sessions.get(accountId) !== session) return false;
    clearTimeout(this.guards.get(accountId));
    this.guards.delete(accountId);
    this.sessions.delete(accountId);
    return true;
  }

  private async logout(session: LinkedDeviceSession): Promise<void> {
    const accountId = session.account.id;
    this.forget(accountId, session);
    try {
      await session.logout();
    } finally {
      await this.options.store.whatsappWebSessions.releaseLease(accountId, this.owner);
    }
  }

  /** Asks whoever holds (or takes) the session to do `kind`, and waits until it has. */
  private async handOver(account: Account, kind: SessionRequestKind): Promise<void> {
    const repository = this.options.store.whatsappWebSessions;
    const { id } = await repository.request(account.id, kind, undefined);
    this.requests.wake();
    const deadline = Date.now() + this.requestTimeoutMs;
    for (;;) {
      const asked = (await repository.get(account.id))?.request;
      if (asked?.id !== id) {
        throw new WasyncError(
          'conflict',
          `Another request for ${account.phone} came in meanwhile; try again.`,
        );
      }
      if (asked.doneAt) {
        if (asked.error) throw new WasyncError('conflict', asked.error);
        return;
      }
      if (Date.now() > deadline) {
        await repository.finishRequest(account.id, id, 'nobody took the request in time');
        throw new WasyncError('worker_unavailable', unserved(account, this.requestTimeoutMs));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, this.requestPollMs)));
    }
  }

  /**
   * Pairing progress as the store has it: the updates past `afterSeq`, read every poll. Ends with the
   * pairing, with the request's failure, or when nobody took the request in time or the process that
   * ran the pairing stopped holding the session without saying how it ended.
   */
  private followStored(accountId: string, requestId: string | undefined, afterSeq: number): PairingFeed {
    const repository = this.options.store.whatsappWebSessions;
    const pollMs = Math.min(250, this.requestPollMs);
    const timeoutMs = this.requestTimeoutMs;
    const owner = this.owner;
    return {
      idle: async () => undefined,
      onPairing(listener) {
        let seen = afterSeq;
        let stopped = false;
        let timer: NodeJS.Timeout | undefined;
        /** Polls in a row that found nobody holding the session: two end the pairing. */
        let unheld = 0;
        const deadline = Date.now() + timeoutMs;
        const end = (update: PairingUpdate) => {
          stopped = true;
          listener(update);
        };
        const poll = async () => {
          if (stopped) return;
          const stored = await repository.get(accountId).catch(() => undefined);
          if (stopped) return;
          const update = stored?.pairing.update;
          const asked = stored?.request;
          if (stored && stored.pairing.seq > seen && update) {
            seen = stored.pairing.seq;
            if (ended(update)) return end(update);
            listener(update);
          } else if (requestId && asked && asked.id !== requestId) {
            return end({
              type: 'failed',
              code: 'stopped',
              reason: 'Another request for this session replaced this pairing.',
            });
          } else if (requestId && asked?.doneAt && asked.error) {
            return end({ type: 'failed', code: 'pairing_failed', reason: asked.error });
          } else if (requestId && stored && !asked?.doneAt && Date.now() > deadline) {
            await repository.finishRequest(accountId, requestId, 'nobody took the request in time');
            return end({ type: 'failed', code: 'pairing_failed', reason: unserved(undefined, timeoutMs) });
          } else if (stored && (!requestId || asked?.doneAt)) {
            const live =
              stored.leaseOwner !== undefined &&
              stored.leaseOwner !== owner &&
              (stored.leaseUntil?.getTime() ?? 0) >= Date.now();
            unheld = live ? 0 : unheld + 1;
            if (unheld >= 2) {
              return end({
                type: 'failed',
                code: 'stopped',
                reason: 'The wasync process that ran this pairing stopped; start pairing again.',
              });
            }
          }
          timer = setTimeout(() => void poll(), pollMs);
        };
        void poll();
        return () => {
          stopped = true;
          clearTimeout(timer);
        };
      },
    };
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
        if (!this.forget(account.id, session)) return;
        await store.whatsappWebSessions.releaseLease(account.id, this.owner);
      },
    });
  }

  private async release(session: LinkedDeviceSession): Promise<void> {
    const accountId = session.account.id;
    this.forget(accountId, session);
    await session.stop();
    await this.options.store.whatsappWebSessions.releaseLease(accountId, this.owner);
  }
}

/** Why a request handed to another process failed: none took it. */
function unserved(account: Account | undefined, timeoutMs: number): string {
  return (
    `No wasync process running background work took the request${account ? ` for ${account.phone}` : ''} in ` +
    `${Math.round(timeoutMs / 100) / 10} s: is \`wasync worker\` (or \`wasync serve\`) running on this database?`
  );
}
