import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeSummary as describeSummaryOfTheCli } from '../src/cli/sync.js';
import type { LiveEvent } from '../src/core/live.js';
import { describeSummary } from '../src/sync/run-summary-text.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';

/**
 * What a run did, in the one line `wasync sync --once` prints, reaches the workspace twice: on the
 * live event of the run's end (what "Sync now" waits for) and in the connection's sync status.
 */
describeEachDatabase('the summary line of a sync run, through the API', (database) => {
  let org: TestOrg;
  let h: Harness;

  beforeAll(async () => {
    org = await startTestOrg();
  });
  afterAll(() => org.close());
  beforeEach(async () => {
    await org.reset();
    h = await startHarness(database);
  });
  afterEach(() => h.close());

  it('carries the line on the live event of the run and in GET /connections/{id}/sync', async () => {
    await org.seed('Contact', { FirstName: 'Ana', LastName: 'Lima', Phone: '+55 11 98765-4321' });
    const { id } = await h.services.connections.create(h.services.workspace.id, org.connectionInput());
    const account = await h.createAccount('+14155550000');
    await h.postMessages(account, [
      {
        id: 'wamid.a1',
        chat: { type: 'direct', with: { phone: '+5511987654321', name: 'Ana Lima' } },
        timestamp: new Date().toISOString(),
        text: 'Do you have the blue one?',
      },
      {
        id: 'wamid.c1',
        chat: { type: 'direct', with: { phone: '+5521998765432', name: 'Caio' } },
        timestamp: new Date().toISOString(),
        text: 'Oi',
      },
    ]);
    const events: LiveEvent[] = [];
    const unsubscribe = h.services.live.subscribe((event) => events.push(event));
    const outcome = await h.services.sync.runNow(id);
    unsubscribe();
    if (outcome.state !== 'done') throw new Error(`the run ended ${outcome.state}`);
    const line = describeSummary(outcome.summary);
    expect(line).toMatch(
      /^2 chats \(1 matched, 1 unmatched\); 1 linked by phone; transcripts 1 written, 0 unchanged; 0 files; 0 failed, 0 rejected \(\d+\.\d s\)$/,
    );
    // The CLI prints the very same line (its module re-exports the one function).
    expect(describeSummaryOfTheCli(outcome.summary)).toBe(line);
    expect(events).toEqual([
      {
        type: 'sync',
        connectionId: id,
        state: 'done',
        at: expect.any(String),
        summary: line,
        by: h.services.sync.owner,
      },
    ]);
    const status = await h.app.inject({
      method: 'GET',
      url: `/api/v1/connections/${id}/sync`,
      headers: h.auth,
    });
    expect(status.json().job).toMatchObject({
      lastSummary: { chats: 2, matched: 1, transcriptsWritten: 1 },
      lastSummaryText: line,
    });
  });

  it('sends no line for a connection that never ran', async () => {
    const { id } = await h.services.connections.create(h.services.workspace.id, org.connectionInput());
    const status = await h.app.inject({
      method: 'GET',
      url: `/api/v1/connections/${id}/sync`,
      headers: h.auth,
    });
    expect(status.json().job.lastSummaryText).toBeUndefined();
  });
});
