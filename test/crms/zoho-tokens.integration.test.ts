/**
 * Zoho issues at most ten access tokens per refresh token in ten minutes, and answers the eleventh
 * "Access Denied". Eight wasync processes sync one connection at once, their tokens expiring and
 * being refused again and again: they share one stored session, so the sandbox never sees an
 * eleventh request in a window; the syncs that find no room wait, and finish once there is.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../../src/core/model.js';
import { SyncEngine, SyncStopped } from '../../src/sync/engine.js';
import { describeEachDatabase } from '../support/databases.js';
import { type Harness, startHarness } from '../support/harness.js';
import { startTestZoho, type TestZoho } from '../support/zoho-org.js';
import { zohoProcess } from '../support/zoho-processes.js';

const ANA = '+5511987654321';
const DAY = 86_400_000;
const MINUTE = 60_000;
/** Yesterday at noon UTC: every message lands on one local day, inside the backfill window. */
const NOON = Math.floor(Date.now() / DAY) * DAY - DAY / 2;
const PROCESSES = 8;

interface TokenCounts {
  issuedInWindow: number;
  denied: number;
}

describeEachDatabase('Zoho access tokens across eight wasync processes', (database) => {
  let h: Harness;
  let account: Account;
  let org: TestZoho;
  /** The time of the sandbox and of every process: moved by the test. */
  let now: number;

  beforeEach(async () => {
    now = Date.now();
    org = await startTestZoho({ clock: () => now });
    h = await startHarness(database);
    account = await h.createAccount('+5511900001111');
  });
  afterEach(async () => {
    await h.close();
    await org.close();
  });

  const tokens = async () => ((await org.counters()).tokens as TokenCounts[])[0];

  it('never asks for an eleventh token in ten minutes, and the syncs finish once the window has room', async () => {
    const contact = await org.seed('Contacts', { Last_Name: 'Lima', Mobile: ANA });
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: h.auth,
      payload: org.connectionInput(),
    });
    expect(created.statusCode, created.body).toBe(201);
    const connection = { id: (created.json() as { id: string }).id, name: 'Zoho sandbox' };
    const destinations = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        zohoProcess(h, () => now).destination(h.services.workspace.id, connection.id),
      ),
    );
    const message = (n: number) =>
      h.postMessages(account, [
        {
          id: `wamid.t${n}`,
          chat: { type: 'direct', with: { phone: ANA, name: 'Ana Lima' } },
          timestamp: new Date(NOON - (100 - n) * MINUTE).toISOString(),
          text: `message ${n}`,
        },
      ]);
    // The engine reads changes by the time they were stored (now, for real), and schedules the write
    // that waited for room by its own clock: moved at the end, so the write is due again.
    let engineAhead = 0;
    const engine = new SyncEngine({
      store: h.services.store,
      workspace: h.services.workspace,
      logger: h.services.logger,
      backfillDays: h.config.backfillDays,
      clock: () => Date.now() + engineAhead,
    });
    // Each process syncs the connection at the same time as the others. (The runs skip the job lease
    // that keeps a connection's runs apart in production, so two may write a day at once: the day's
    // notes are not what this test is about.)
    const syncAll = () =>
      Promise.allSettled(destinations.map((destination) => engine.run(connection, destination)));
    const stoppedBy = (results: PromiseSettledResult<unknown>[]) =>
      results.flatMap((result) => {
        if (result.status === 'fulfilled') return [];
        if (result.reason instanceof SyncStopped) return [result.reason.crmError.code];
        throw result.reason;
      });

    await message(0);
    expect(stoppedBy(await syncAll())).toEqual([]);
    // An hour on, every token has expired: the processes sign in again, once between them.
    now += 61 * MINUTE;
    await message(1);
    expect(stoppedBy(await syncAll())).toEqual([]);
    expect(await tokens()).toEqual(expect.objectContaining({ issuedInWindow: 1, denied: 0 }));

    // Then Zoho refuses every token, again and again (as when a 16th live token evicts the oldest).
    let waiting: string[] = [];
    let last = 1;
    for (let round = 2; round < 16 && waiting.length === 0; round++) {
      last = round;
      now += 20_000;
      await org.inspect('POST', 'tokens/expire');
      await message(round);
      waiting = stoppedBy(await syncAll());
      const counts = await tokens();
      expect(counts?.denied, `round ${round}`).toBe(0);
      expect(counts?.issuedInWindow, `round ${round}`).toBeLessThanOrEqual(10);
    }
    // Ten tokens in the window: the eleventh was not asked for; the syncs wait for room instead.
    expect(waiting.length).toBeGreaterThan(0);
    expect(new Set(waiting)).toEqual(new Set(['TOKEN_BUDGET']));
    expect(await tokens()).toEqual(expect.objectContaining({ issuedInWindow: 10, denied: 0 }));

    now += 10 * MINUTE;
    engineAhead = 11 * MINUTE;
    await message(16);
    expect(stoppedBy(await syncAll())).toEqual([]);
    expect((await tokens())?.denied).toBe(0);
    const notes = (await org.notes()).filter((note) => note.parent?.id === contact);
    expect(notes.length).toBeGreaterThan(0);
    const written = notes.map((note) => String(note.Note_Content)).join('\n');
    for (let n = 0; n <= last; n++) expect(written).toContain(`message ${n}`);
    expect(written).toContain('message 16');
  });
});
