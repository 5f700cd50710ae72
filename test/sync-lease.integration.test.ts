import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SyncService } from '../src/sync/service.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import { salesforceTarget } from './support/salesforce-target.js';
import { buildScenario } from './support/sync-scenario.js';
import { startSyncWorker } from './support/sync-worker-process.js';

/**
 * Requests that change something in the org, from the sandbox's per-route counters. A sign-in is a
 * POST too, but changes no data: a process stopped there would hold the sign-in lease, which is
 * another test's matter (test/crm-kit.integration.test.ts).
 */
async function writes(org: TestOrg): Promise<number> {
  const { byRoute } = (await org.counters()) as { byRoute: Record<string, number> };
  return Object.entries(byRoute)
    .filter(
      ([route]) =>
        /^(POST|PATCH|PUT|DELETE) /.test(route) && !route.includes('/query') && !route.includes('/oauth2/'),
    )
    .reduce((sum, [, count]) => sum + count, 0);
}

const until = async (condition: () => Promise<boolean>, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describeEachDatabase('a sync run that loses its lease', (database) => {
  let org: TestOrg;
  let h: Harness;

  beforeEach(async () => {
    // Latency per request keeps a run going long enough to be stopped between two of its requests.
    org = await startTestOrg({ latencyMs: 40 });
    h = await startHarness(database);
  });
  afterEach(async () => {
    await h.close();
    await org.close();
  });

  it('stops writing once another process has taken over, and the other process finishes the work exactly once', async () => {
    const account = await h.createAccount('+14155550000');
    const target = salesforceTarget(org);
    const scenario = await buildScenario(target, { people: 20, now: Date.now() });
    const connection = await h.services.connections.create(h.services.workspace.id, org.connectionInput());
    for (const round of scenario.rounds) {
      await h.postMessages(account, round);
    }

    // Process A takes the connection (its lease lasts 500 ms) and is stopped right after its first
    // write reaches the org, as a process paused by its host would be, with most of its run ahead.
    const a = startSyncWorker({
      database: h.config.database,
      dataDir: h.config.dataDir,
      connectionId: connection.id,
    });
    await a.line('ready', 30_000);
    await until(async () => (await writes(org)) > 0, 'the first write of process A');
    a.child.kill('SIGSTOP');
    try {
      // Its lease runs out unrenewed; process B (this one) takes the connection and syncs it all.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const b = new SyncService({
        store: h.services.store,
        workspace: h.services.workspace,
        connections: h.services.connections,
        logger: pino({ level: 'silent' }),
        backfillDays: 3,
        intervalMs: 60_000,
        leaseMs: 60_000,
      });
      for (let run = 0; run < 5; run++) {
        const outcome = await b.runNow(connection.id);
        expect(outcome.state, JSON.stringify(outcome)).toBe('done');
        if (
          outcome.state === 'done' &&
          outcome.summary.transcriptsWritten + outcome.summary.filesUploaded === 0
        )
          break;
      }
      await target.expectExactlyOnce(scenario);
    } finally {
      a.child.kill('SIGCONT');
    }
    const before = await writes(org);

    // A wakes mid-run. It must notice it lost the lease before sending anything more.
    await a.line('busy', 30_000);
    await a.line('quiet', 60_000);
    await a.exited;
    expect(await writes(org), `writes by process A after it lost its lease\n${a.output()}`).toBe(before);
    await target.expectExactlyOnce(scenario);
  }, 120_000);
});
