import { setTimeout as sleep } from 'node:timers/promises';
import { CrmError } from '../types.js';

/** What every OAuth-style session has; a CRM's own token adds what it needs (instance URL, user). */
export interface KitToken {
  accessToken: string;
  /** When the access token stops working (ms since epoch), when the CRM says; else until a 401. */
  expiresAt?: number | undefined;
  /** The refresh token to use next: a rotated one replaces the one just spent. */
  refreshToken?: string | undefined;
  /** When the holder got it (ms since epoch): a session older than a refusal may be refused too. */
  obtainedAt?: number | undefined;
}

/**
 * Where a connection's session is kept, shared by every process signed in to it. `exclusive` runs a
 * refresh while no other holder of the connection (in this process or another) runs one.
 */
export interface TokenStore<T extends KitToken> {
  /** The session as stored now: another process may have renewed it (or rotated its refresh token). */
  read(): Promise<T | undefined>;
  /** Stores a new session, rotated refresh token first; resolves once it is durable. */
  write(token: T): Promise<void>;
  exclusive<R>(run: () => Promise<R>): Promise<R>;
}

/** How a CRM signs in afresh: `stored` is the session as stored, whose refresh token is the one to spend. */
export type SignInFlow<T extends KitToken> = (stored: T | undefined) => Promise<T>;

export interface TokenHolderOptions<T extends KitToken> {
  /** Where the session is shared; by default this holder's memory (one process, no restart). */
  store?: TokenStore<T>;
  /** Called with each new session after it is stored and before it is used. */
  onToken?: (token: T) => void | Promise<void>;
  /** A token this close to its expiry is renewed before use. */
  expirySkewMs?: number;
  clock?: () => number;
}

/**
 * The token holder of one connection: one sign-in at a time, however many requests find the session
 * stale. A refresh runs inside the store's lease, reads the stored session first (another process may
 * have renewed it: then that one is used, no sign-in), and stores what the CRM answers, a rotated
 * refresh token included, before anyone uses the new access token.
 */
export class TokenHolder<T extends KitToken> {
  private live: T | undefined;
  private pending: Promise<T> | undefined;
  private readonly store: TokenStore<T>;
  private readonly clock: () => number;

  constructor(
    private readonly signIn: SignInFlow<T>,
    private readonly options: TokenHolderOptions<T> = {},
  ) {
    this.store = options.store ?? memoryTokenStore<T>();
    this.clock = options.clock ?? Date.now;
  }

  /** The live session, from the store or a sign-in when there is none (or it has expired). */
  current(): Promise<T> {
    if (this.live && this.fresh(this.live)) return Promise.resolve(this.live);
    return this.refresh(this.live, undefined);
  }

  /**
   * A new session after `stale` was refused (a 401, an invalid session): requests that failed with
   * the same token share one refresh, and one another process already made is used as it is.
   */
  renew(stale: T): Promise<T> {
    if (this.live && this.live.accessToken !== stale.accessToken && this.fresh(this.live))
      return Promise.resolve(this.live);
    return this.refresh(stale, this.clock());
  }

  /**
   * Runs `call` with the session; when it answers `stale` (the CRM refused the token), renews once
   * and runs it once more. A second refusal is the call's to report.
   */
  async withToken<R>(call: (token: T) => Promise<R>, stale: (result: R) => boolean): Promise<R> {
    const token = await this.current();
    const first = await call(token);
    if (!stale(first)) return first;
    return call(await this.renew(token));
  }

  private refresh(stale: T | undefined, refusedAt: number | undefined): Promise<T> {
    this.pending ??= this.refreshOnce(stale, refusedAt).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * `refusedAt`: when the CRM refused `stale`. A stored session another process got since then is
   * used as it is; one got before may have been refused as well (sessions expire together), so a
   * refusal is answered by a sign-in unless the stored session is newer than it.
   */
  private async refreshOnce(stale: T | undefined, refusedAt: number | undefined): Promise<T> {
    let fresh = false;
    const token = await this.store.exclusive(async () => {
      const stored = await this.store.read();
      const usable =
        stored !== undefined &&
        stored.accessToken !== stale?.accessToken &&
        this.fresh(stored) &&
        (refusedAt === undefined || (stored.obtainedAt ?? Number.NEGATIVE_INFINITY) >= refusedAt);
      if (usable) return stored;
      const next = { ...(await this.signIn(stored)), obtainedAt: this.clock() };
      // Rotated refresh token first: a crash right after must not leave the store with the spent one.
      await this.store.write(next);
      fresh = true;
      return next;
    });
    if (fresh) await this.options.onToken?.(token);
    this.live = token;
    return token;
  }

  private fresh(token: T): boolean {
    if (token.expiresAt === undefined) return true;
    return token.expiresAt - (this.options.expirySkewMs ?? 60_000) > this.clock();
  }
}

/** One lock per key in this process: runs wait for the one before them, in order. */
export class InProcessLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<R>(task: () => Promise<R>): Promise<R> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Where a connection's refresh token lives beside its other secrets (sealed with them). */
export interface RefreshTokenSlot {
  /** As stored now: another process may have rotated it since we last looked. */
  read(): Promise<string | undefined>;
  /** Stores a rotated refresh token; resolves once it is durable. */
  write(refreshToken: string): Promise<void>;
}

/**
 * A token store made of its parts: where the session (access token and what goes with it) is kept,
 * where the refresh token is kept (with the connection's secrets, when it has one), and the lock a
 * refresh runs under. A rotated refresh token is written before the session that came with it.
 */
export function composeTokenStore<T extends KitToken>(parts: {
  session: { read(): Promise<T | undefined>; write(token: T): Promise<void> };
  refreshTokens?: RefreshTokenSlot | undefined;
  exclusive: <R>(run: () => Promise<R>) => Promise<R>;
}): TokenStore<T> {
  const { session, refreshTokens, exclusive } = parts;
  return {
    async read() {
      const token = await session.read();
      if (!token || !refreshTokens) return token;
      return { ...token, refreshToken: (await refreshTokens.read()) ?? token.refreshToken };
    },
    async write(token) {
      if (refreshTokens && token.refreshToken && token.refreshToken !== (await refreshTokens.read()))
        await refreshTokens.write(token.refreshToken);
      await session.write(refreshTokens ? { ...token, refreshToken: undefined } : token);
    },
    exclusive,
  };
}

/** A session kept in this process's memory (tests, one-off tools), the refresh token where given. */
export function memoryTokenStore<T extends KitToken>(refreshTokens?: RefreshTokenSlot): TokenStore<T> {
  let token: T | undefined;
  const lock = new InProcessLock();
  return composeTokenStore<T>({
    session: {
      read: async () => token,
      write: async (next) => {
        token = next;
      },
    },
    refreshTokens,
    exclusive: (run) => lock.run(run),
  });
}

/** The store's side of a lease: one holder per connection at a time, until it ends or runs out. */
export interface LeaseRows {
  /** Takes the lease unless another holder has it and it has not run out; true when taken. */
  acquire(holder: string, until: number, now: number): Promise<boolean>;
  release(holder: string): Promise<void>;
}

export interface StoreLeaseOptions {
  /** The name of this holder (a process), unique among those sharing the store. */
  holder: string;
  /** How long a lease lasts: past it, a holder that died no longer blocks the others. */
  leaseMs: number;
  /** How long to wait for another holder's lease before giving up (a retryable CrmError). */
  waitMs?: number;
  clock?: () => number;
}

/**
 * Runs `run` under the connection's lease row, after this process's own lock: one refresh at a time in
 * the process and across the processes on the store.
 */
export function storeLease(rows: LeaseRows, options: StoreLeaseOptions) {
  const lock = new InProcessLock();
  const clock = options.clock ?? Date.now;
  return <R>(run: () => Promise<R>): Promise<R> =>
    lock.run(async () => {
      const deadline = clock() + (options.waitMs ?? options.leaseMs);
      for (let pause = 20; !(await rows.acquire(options.holder, clock() + options.leaseMs, clock())); ) {
        if (clock() >= deadline) {
          throw new CrmError({
            kind: 'retryable',
            code: 'TOKEN_LEASE_BUSY',
            message: 'Another process is signing in to the CRM and has not finished',
          });
        }
        await sleep(pause);
        pause = Math.min(pause * 2, 500);
      }
      try {
        return await run();
      } finally {
        await rows.release(options.holder);
      }
    });
}
