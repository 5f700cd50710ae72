import { WasyncError } from '../core/errors.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

/** How many scrypt runs may use memory at once, and how many more may wait for their turn. */
export interface HashingLimits {
  concurrent: number;
  queue: number;
}

/**
 * At the default cost each scrypt run holds 128 MiB for a few hundred milliseconds, so unbounded
 * parallel sign-ins or sign-ups would take the server's memory with them. Two run at a time (the
 * rest of the server keeps its cores), a short queue waits, and beyond it a request is told to come
 * back later (503 with Retry-After) instead of piling up.
 */
export const DEFAULT_HASHING_LIMITS: HashingLimits = { concurrent: 2, queue: 16 };
const RETRY_AFTER_SECONDS = 2;

/** The server's one way to hash and check passwords, with its memory use bounded. */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private runs = 0;

  constructor(
    private readonly cost: number,
    private readonly limits: HashingLimits = DEFAULT_HASHING_LIMITS,
  ) {}

  /** How many scrypt runs this process has made: a test counts that a refusal made none. */
  get derivations(): number {
    return this.runs;
  }

  /** Runs now, queued, for what a test or /metrics may ask. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  hash(password: string): Promise<string> {
    return this.bounded(() => hashPassword(password, this.cost));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.bounded(() => verifyPassword(password, stored));
  }

  /** A stored hash made with a lower cost than configured now. */
  needsRehash(stored: string): boolean {
    return needsRehash(stored, this.cost);
  }

  private async bounded<T>(derive: () => Promise<T>): Promise<T> {
    await this.acquire();
    this.runs += 1;
    try {
      return await derive();
    } finally {
      this.release();
    }
  }

  /** Takes a slot at once when one is free (synchronously, so the bound is exact), else waits. */
  private acquire(): Promise<void> {
    if (this.running < this.limits.concurrent) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.queue) {
      return Promise.reject(
        new WasyncError('server_busy', 'The server is busy checking passwords; try again in a moment.', {
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        }),
      );
    }
    // The slot is handed over by release(): running stays counted for the waiter.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
