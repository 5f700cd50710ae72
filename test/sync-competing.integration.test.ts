import { expect, it } from 'vitest';
import { seededRandom } from '../src/core/seeded-random.js';
import { describeExactlyOnce } from './support/exactly-once-suite.js';
import { startSyncWorker } from './support/sync-worker-process.js';

/** Seeds the kill points, so a failing run can be replayed. */
const KILL_SEED = 31;
const KILLS = 4;

// Every rule the sandbox enforces is on; 30% of requests fail (the sandbox's own faults and dropped
// connections), seeded, and a little latency gives the kills a run to land in.
describeExactlyOnce(
  'two sync processes competing for one connection, under faults and SIGKILL',
  { faults: { rate: 0.3, seed: 9, timeoutMs: 150 }, latencyMs: 5 },
  (run) => {
    it('puts every message on its record exactly once', async () => {
      const { h, account, target } = run;
      const { scenario, connection } = await run.connect();
      const input = {
        database: h.config.database,
        dataDir: h.config.dataDir,
        kinds: target.workerKinds,
        connectionId: connection.id,
      };
      const requests = () => target.requests();
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
      expect(await target.faults()).toBeGreaterThan(0);
      await target.expectExactlyOnce(scenario);
    }, 240_000);
  },
);
