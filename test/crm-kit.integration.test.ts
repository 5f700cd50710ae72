import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { composeTokenStore, type KitToken, storeLease, TokenHolder } from '../src/crms/kit/token-holder.js';
import { outcomeUnknown } from '../src/sync/day-writes.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

/** The shared CRM kit's state in the store: what the ledger keeps of a failed write's outcome. */
describeEachDatabase('CRM kit in the store', (database) => {
  let h: Harness;
  let connectionId: string;
  beforeEach(async () => {
    h = await startHarness(database);
    connectionId = (
      await h.services.connections.create(h.services.workspace.id, {
        kind: 'salesforce',
        name: 'Org',
        loginUrl: 'http://127.0.0.1:9',
        auth: { flow: 'client_credentials', clientId: 'id', clientSecret: 'secret' },
      })
    ).id;
  });
  afterEach(async () => {
    await h.close();
  });

  it('the ledger keeps the outcome-unknown flag of a failed write until a write is done', async () => {
    const ledger = h.services.store.ledger;
    const intent = (key: string) => ({
      key,
      kind: 'transcript' as const,
      chatId: 'chat-1',
      record: { type: 'contact' as const, id: '003A' },
      day: '2026-12-04',
      contentHash: 'h',
      messageCount: 1,
    });
    const entry = async (key: string) => (await ledger.get(connectionId, [key])).get(key);
    await ledger.recordIntents(connectionId, [intent('a'), intent('b')]);
    // A server error on the write (no TIMEOUT or NETWORK in its text) may still have saved it.
    await ledger.markFailed(connectionId, [
      { key: 'a', error: 'SERVER_UNAVAILABLE: try later', retryAt: 1, outcomeUnknown: true },
      { key: 'b', error: 'TIMEOUT: slow', retryAt: 1, outcomeUnknown: false },
    ]);
    expect(outcomeUnknown(await entry('a'))).toBe(true);
    expect(outcomeUnknown(await entry('b'))).toBe(false);

    // A later attempt that surely did not reach the CRM leaves the earlier one in doubt.
    await ledger.recordIntents(connectionId, [intent('a')]);
    await ledger.markFailed(connectionId, [
      { key: 'a', error: 'NETWORK: refused', retryAt: 2, outcomeUnknown: false },
    ]);
    expect(outcomeUnknown(await entry('a'))).toBe(true);

    await ledger.recordIntents(connectionId, [intent('a')]);
    await ledger.markDone(connectionId, [{ key: 'a', ref: { id: 'a0X', related: {} } }]);
    await ledger.markFailed(connectionId, [{ key: 'a', error: 'X: y', retryAt: 3, outcomeUnknown: false }]);
    expect(outcomeUnknown(await entry('a'))).toBe(false);
  });

  /** A holder as one process builds it: the session and the lease in the store, under its own name. */
  function processHolder(name: string, signIn: () => Promise<KitToken>) {
    const repository = h.services.store.connections;
    return new TokenHolder<KitToken>(signIn, {
      store: composeTokenStore<KitToken>({
        session: {
          read: async () => {
            const stored = await repository.tokenSession(connectionId);
            return stored === undefined ? undefined : (JSON.parse(stored) as KitToken);
          },
          write: (token) => repository.storeTokenSession(connectionId, JSON.stringify(token)),
        },
        exclusive: storeLease(
          {
            acquire: (holder, until, now) => repository.acquireTokenLease(connectionId, holder, until, now),
            release: (holder) => repository.releaseTokenLease(connectionId, holder),
          },
          { holder: name, leaseMs: 10_000 },
        ),
      }),
    });
  }

  it("two processes on one store refresh once between them, and the second uses the first one's session", async () => {
    let signIns = 0;
    const signIn = async () => {
      await sleep(30);
      signIns++;
      return { accessToken: `a${signIns}` };
    };
    const one = processHolder('one', signIn);
    const two = processHolder('two', signIn);
    expect((await one.current()).accessToken).toBe('a1');
    // The second process starts on the stored session.
    const stale = await two.current();
    expect(stale.accessToken).toBe('a1');
    expect(signIns).toBe(1);
    // Both are refused the session at once: one signs in, the other takes its session.
    const renewed = await Promise.all([
      one.renew(stale),
      two.renew(stale),
      one.renew(stale),
      two.renew(stale),
    ]);
    expect(renewed.map((t) => t.accessToken)).toEqual(['a2', 'a2', 'a2', 'a2']);
    expect(signIns).toBe(2);
  });

  it('a token lease is held by one process at a time, until released or run out', async () => {
    const repository = h.services.store.connections;
    expect(await repository.acquireTokenLease(connectionId, 'one', 2_000, 1_000)).toBe(true);
    expect(await repository.acquireTokenLease(connectionId, 'two', 2_500, 1_500)).toBe(false);
    // Past its end, a lease of a process that died no longer holds the others up.
    expect(await repository.acquireTokenLease(connectionId, 'two', 3_000, 2_000)).toBe(true);
    await repository.releaseTokenLease(connectionId, 'one');
    expect(await repository.acquireTokenLease(connectionId, 'one', 3_500, 2_100)).toBe(false);
    await repository.releaseTokenLease(connectionId, 'two');
    expect(await repository.acquireTokenLease(connectionId, 'one', 3_500, 2_100)).toBe(true);
  });
});
