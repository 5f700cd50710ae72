/**
 * A second wasync process for concurrency tests: opens the store given in WASYNC_WORKER_INPUT, says
 * `ready`, waits for a line on stdin (so both processes start writing at the same moment), ingests the
 * listed batches all at once, and prints what the pipeline answered as JSON.
 */
import pino from 'pino';
import { openServices } from '../../src/services.js';
import { testBatch } from './concurrent-batches.js';
import { type WorkerInput, workerConfig } from './worker-config.js';

const input = JSON.parse(process.env.WASYNC_WORKER_INPUT ?? '{}') as WorkerInput & {
  accountId: string;
  batches: [number, number][];
};
const config = workerConfig(input);
const services = await openServices(config, pino({ level: 'silent' }));
try {
  const account = await services.store.accounts.get(services.workspace.id, input.accountId);
  if (!account) throw new Error(`no account ${input.accountId}`);
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
  const results = await Promise.all(
    input.batches.map(([from, count]) => services.ingest.ingest(account, testBatch(from, count))),
  );
  process.stdout.write(`${JSON.stringify(results)}\n`);
} finally {
  await services.close();
}
