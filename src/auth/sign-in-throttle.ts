import { WasyncError } from '../core/errors.js';
import { normalizeEmail } from '../store/repositories/people.js';
import type { ThrottleRepository, ThrottleRule } from '../store/repositories/throttle.js';

/**
 * Sign-in attempts allowed per 15 minutes: 10 for one account (a guesser gets 40 guesses an hour
 * at most, the owner mistyping a few times never notices), 50 from one client address (many
 * accounts guessed from one place; a shared office address still has room). A good sign-in clears
 * its account's count and gives its address the attempt back.
 */
export const SIGN_IN_RULES = {
  account: { attempts: 10, windowMs: 15 * 60_000 },
  address: { attempts: 50, windowMs: 15 * 60_000 },
} as const satisfies Record<string, ThrottleRule>;

export interface SignInAttempt {
  /** Call when the password was right. */
  succeeded(): Promise<void>;
}

/**
 * Counts a sign-in attempt for the account and the address before any password is checked, and
 * refuses it (429 rate_limited with Retry-After) once either is over its rule: a refused attempt
 * costs no hash.
 */
export async function startSignIn(
  throttle: ThrottleRepository,
  email: string,
  address: string,
): Promise<SignInAttempt> {
  const accountKey = `sign-in:account:${normalizeEmail(email)}`;
  const addressKey = `sign-in:address:${address}`;
  const verdicts = [
    await throttle.consume(accountKey, SIGN_IN_RULES.account),
    await throttle.consume(addressKey, SIGN_IN_RULES.address),
  ];
  const waitMs = Math.max(0, ...verdicts.map((v) => (v.allowed ? 0 : v.retryAfterMs)));
  if (verdicts.some((v) => !v.allowed)) {
    throw new WasyncError('rate_limited', 'Too many sign-in attempts; try again later.', {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }
  return {
    succeeded: async () => {
      await throttle.reset(accountKey);
      await throttle.refund(addressKey);
    },
  };
}
