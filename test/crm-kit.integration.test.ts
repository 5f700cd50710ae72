import { afterEach, beforeEach, expect, it } from 'vitest';
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
});
