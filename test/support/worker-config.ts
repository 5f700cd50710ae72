import { type Config, loadConfig } from '../../src/config/index.js';
import type { openServices } from '../../src/services.js';
import { secretKeyEnv } from './secret-key.js';

/** What a test's worker process is told of the store it shares with the test (WASYNC_WORKER_INPUT). */
export interface WorkerInput {
  database: Parameters<typeof openServices>[0]['database'];
  dataDir: string;
  /**
   * Test-only CRM kinds the worker registers before it opens the store: reference kinds by name,
   * each reaching the reference CRM sandbox at the URL its connection's settings name.
   */
  kinds?: { reference?: string[] | undefined } | undefined;
}

/** The config of a worker process: the test's store, its key, and the loopback sandboxes allowed. */
export function workerConfig(input: WorkerInput): Config {
  return {
    ...loadConfig({
      WASYNC_DATA_DIR: input.dataDir,
      WASYNC_OUTBOUND_ALLOW: '127.0.0.1,localhost',
      ...secretKeyEnv(input.database.dialect),
    }),
    database: input.database,
  };
}
