import { expect, it } from 'vitest';
import { seededRandom } from '../src/core/seeded-random.js';
import { describeExactlyOnce } from './support/exactly-once-suite.js';
import { startSyncWorker } from './support/sync-worker-process.js';

const RUNS = 10;
/** Seeds the kill points, so a failing run can be replayed. */
const KILL_SEED = 12;

// A little latency per request, so a run is long enough to be killed in the middle of it.
describeExactlyOnce('sync killed with SIGKILL and restarted', { latencyMs: 15 }, (run) => {
  const startWorker = (connectionId: string) =>
    startSyncWorker({
      database: run.h.config.database,
      dataDir: run.h.config.dataDir,
      kinds: run.target.workerKinds,
      connectionId,
    });

  it(`puts every message on its record exactly once across ${RUNS} kills at seeded points`, async () => {
    const { h, account, target } = run;
    const { scenario, connection } = await run.connect();
    const post = async (round: Record<string, unknown>[] | undefined) => {
      if (!round) return;
      await h.postMessages(account, round);
    };

    const items = scenario.rounds.flat();
    const per = Math.ceil(items.length / RUNS);
    const slices = Array.from({ length: RUNS }, (_, i) => items.slice(i * per, (i + 1) * per));
    const requests = () => target.requests();
    let killedMidRun = 0;
    // Kills that left writes of unknown outcome: sent (or about to be) with no answer recorded.
    let killedMidWrite = 0;
    const random = seededRandom(KILL_SEED);
    const killWindow = target.killWindow ?? 6;
    for (let run = 0; run < RUNS; run++) {
      // New messages and edits arrive between crashes, as they would in production.
      await post(slices[run]);
      const worker = startWorker(connection.id);
      await worker.line('ready', 30_000);
      // Killed while its n-th request to the CRM is in flight (n seeded, 1 to the target's kill
      // window): anywhere from the lookups to the writes and the uploads, answers lost on the way
      // back. A run with fewer requests ends on its own, which is a crash-free run among the others.
      const target = (await requests()) + 1 + Math.floor(random() * killWindow);
      while (worker.child.exitCode === null && (await requests()) < target) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (worker.child.exitCode === null) {
        worker.child.kill('SIGKILL');
        killedMidRun++;
      }
      await worker.exited;
      const counts = await h.services.store.ledger.counts(connection.id);
      if (counts.intent > 0) killedMidWrite++;
    }

    const last = startWorker(connection.id);
    await last.line('quiet', 60_000);
    await last.exited;
    // Most runs are killed; requiring a few keeps the test from depending on how many requests a
    // run happens to make.
    expect(killedMidRun).toBeGreaterThanOrEqual(3);
    expect(killedMidWrite).toBeGreaterThan(0);
    await target.expectExactlyOnce(scenario);
  }, 240_000);
});
