import type { SyncService } from '../../src/sync/service.js';
import { SqlWorkQueue } from '../../src/sync/sql-queue.js';

/** The embedded queue behind a sync service, for tests that step its loop by hand. */
export function sqlQueue(sync: SyncService): SqlWorkQueue {
  if (!(sync.queue instanceof SqlWorkQueue)) throw new Error('this test steps the embedded SQL queue');
  return sync.queue;
}

/** One step of the embedded worker's loop, as `wasync serve` takes it: the most overdue run, or none. */
export function runDue(sync: SyncService) {
  return sqlQueue(sync).runOnce(sync.workHandlers());
}
