/**
 * Concurrent transactions that write overlapping rows (two workers ingesting the same chat) wait on
 * each other's row locks; if they take them in different orders, Postgres detects a deadlock only
 * after a second and aborts one. Writing rows sorted by their unique key gives every transaction the
 * same order, so they queue instead of deadlocking.
 */
export function inLockOrder<T>(items: Iterable<T>, key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
