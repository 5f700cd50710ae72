import { afterEach, beforeEach, expect, it } from 'vitest';
import { seededRandom } from '../src/core/seeded-random.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';
import { startTestOrg, type TestOrg } from './support/salesforce-org.js';
import { buildScenario, expectExactlyOnce } from './support/sync-scenario.js';
import { startSyncWorker } from './support/sync-worker-process.js';

/** Seeds the kill points, so a failing run can be replayed. */
const KILL_SEED = 31;
const KILLS = 4;

describeEachDatabase(
  'two sync processes competing for one connection, under faults and SIGKILL',
  (database) => {
    let org: TestOrg;
    let h: Harness;

    beforeEach(async () => {
      // Every rule the sandbox enforces is on; 30% of requests fail (the concurrency limit, 500, 503,
      // dropped connections), seeded, and a little latency gives the kills a run to land in.
      org = await startTestOrg({ faults: { rate: 0.3, seed: 9, timeoutMs: 150 }, latencyMs: 5 });
      h = await startHarness(database);
    });
    afterEach(async () => {
      await h.close();
      await org.close();
    });

    it('puts every message on its record exactly once', async () => {
      const account = await h.createAccount('+14155550000');
      const scenario = await buildScenario(org, { people: 20, now: Date.now() });
      const connection = await h.services.connections.create(h.services.workspace.id, org.connectionInput());
      const input = { database: h.config.database, dataDir: h.config.dataDir, connectionId: connection.id };
      const requests = async () => Number((await org.counters()).total);
      const random = seededRandom(KILL_SEED);

      // Both processes run side by side; one of them is killed at a seeded request and replaced, while
      // the rounds of messages and edits keep arriving.
      const steady = startSyncWorker(input);
      let killed = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const round = scenario.rounds[kill];
        if (round) await h.postMessages(account, round);
        const victim = startSyncWorker(input);
        const target = (await requests()) + 1 + Math.floor(random() * 8);
        while (victim.child.exitCode === null && (await requests()) < target) {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        if (victim.child.exitCode === null) {
          victim.child.kill('SIGKILL');
          killed++;
        }
        await victim.exited;
      }
      for (const round of scenario.rounds.slice(KILLS)) await h.postMessages(account, round);
      const last = startSyncWorker(input);
      await Promise.all([steady.line('quiet', 120_000), last.line('quiet', 120_000)]);
      await Promise.all([steady.exited, last.exited]);
      expect(killed).toBeGreaterThanOrEqual(2);
      const counters = (await org.counters()) as { faults: Record<string, number> };
      expect(Object.values(counters.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      await expectExactlyOnce(org, scenario);
    }, 240_000);
  },
);
