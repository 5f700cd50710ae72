import pino from 'pino';
import { expect, it } from 'vitest';
import { SyncService } from '../src/sync/service.js';
import { describeExactlyOnce } from './support/exactly-once-suite.js';

// Each test starts the sandbox itself, with its own fault seed.
describeExactlyOnce('sync with 30% injected faults', undefined, (run) => {
  // Each sandbox's faults (Salesforce: the concurrency limit (403), 500, 503; the reference CRM: 429
  // with Retry-After, 503, lost answers) and dropped connections, seeded mixes so a failure can be
  // replayed. On Salesforce seed 5 fails a note's link call after its note was created, which once
  // left a second note for every such day.
  it.each([5, 7, 14])(
    'puts every message on its record exactly once (fault seed %i)',
    async (seed) => {
      const target = await run.startTarget({ faults: { rate: 0.3, seed, timeoutMs: 150 } });
      const { h, account } = run;
      const { scenario, connection } = await run.connect();
      // The engine as serve runs it, with backoffs shortened so the test does not wait minutes.
      const sync = new SyncService({
        store: h.services.store,
        workspace: h.services.workspace,
        connections: h.services.connections,
        logger: pino({ level: 'silent' }),
        backfillDays: 3,
        intervalMs: 1_000,
        retryBaseMs: 1,
        engine: { retryBaseMs: 1, retryMaxMs: 2 },
      });
      const outcomes: string[] = [];
      let lastOutcome: unknown;
      const runUntilQuiet = async () => {
        for (let attempt = 0; attempt < 300; attempt++) {
          const outcome = await sync.runNow(connection.id);
          lastOutcome = outcome;
          outcomes.push(outcome.state);
          if (outcome.state === 'parked') throw new Error(`parked: ${outcome.reason}`);
          if (outcome.state !== 'done') continue;
          const { summary } = outcome;
          const counts = await h.services.store.ledger.counts(connection.id);
          if (
            summary.transcriptsWritten + summary.filesUploaded + summary.failed === 0 &&
            counts.failed + counts.intent === 0
          ) {
            return;
          }
        }
        const counts = await h.services.store.ledger.counts(connection.id);
        const problems = await h.services.store.ledger.problems(connection.id, 3);
        throw new Error(`the sync never settled: ${JSON.stringify({ last: lastOutcome, counts, problems })}`);
      };

      for (const round of scenario.rounds) {
        await h.postMessages(account, round);
        // A run or two between rounds: faults strike writes that create, and writes that update.
        for (let run = 0; run < 2; run++) outcomes.push((await sync.runNow(connection.id)).state);
      }
      await runUntilQuiet();

      // The faults struck at about the injected rate, and several of them: a destination that batches
      // (Bitrix24: 50 commands a request) makes a few dozen requests of the scenario, the others more.
      const faults = await target.faults();
      expect(faults).toBeGreaterThanOrEqual(4);
      expect(faults / (await target.requests())).toBeGreaterThan(0.2);
      expect(outcomes).toContain('retrying');
      await target.expectExactlyOnce(scenario);
    },
    120_000,
  );
});
