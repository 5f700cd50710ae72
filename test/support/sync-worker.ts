/**
 * A sync process for the crash tests: opens the store given in WASYNC_WORKER_INPUT, says `ready`,
 * then runs the connection's sync until a run finds nothing to do and prints `quiet`. The test kills
 * it with SIGKILL at a random moment; a killed run's lease is short, so the next process takes over.
 */
import pino from 'pino';
import { referenceKind } from '../../src/crms/reference/kind.js';
import { crmRegistry } from '../../src/crms/registry.js';
import { openServices } from '../../src/services.js';
import { SyncService } from '../../src/sync/service.js';
import { type WorkerInput, workerConfig } from './worker-config.js';

const input = JSON.parse(process.env.WASYNC_WORKER_INPUT ?? '{}') as WorkerInput & {
  connectionId: string;
};
const config = workerConfig(input);
for (const kind of input.kinds?.reference ?? []) crmRegistry.register(referenceKind(undefined, { kind }));
const services = await openServices(config, pino({ level: 'silent' }));
const sync = new SyncService({
  store: services.store,
  workspace: services.workspace,
  connections: services.connections,
  logger: pino({ level: 'silent' }),
  backfillDays: 3,
  intervalMs: 1_000,
  leaseMs: 500,
  retryBaseMs: 1,
  engine: { retryBaseMs: 1, retryMaxMs: 2 },
});
// Ready once the lease of a killed predecessor has run out, so the test's timer measures the run.
while ((await sync.jobState(input.connectionId))?.running) {
  await new Promise((resolve) => setTimeout(resolve, 25));
}
process.stdout.write('ready\n');
try {
  for (;;) {
    const outcome = await sync.runNow(input.connectionId);
    if (outcome.state === 'busy') {
      // Another process holds the connection (or took it from this one mid-run): say so, wait, retry.
      process.stdout.write('busy\n');
      // A killed process still holds the lease until it runs out.
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    if (outcome.state === 'parked') throw new Error(`parked: ${outcome.reason}`);
    if (outcome.state !== 'done') continue;
    const { summary } = outcome;
    const counts = await services.store.ledger.counts(input.connectionId);
    if (
      summary.transcriptsWritten + summary.filesUploaded + summary.failed === 0 &&
      counts.failed + counts.intent === 0
    ) {
      process.stdout.write(`quiet ${JSON.stringify(summary)}\n`);
      break;
    }
  }
} finally {
  await services.close();
}
