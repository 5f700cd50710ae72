import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import type { IngestResult } from '../src/ingest/types.js';
import { testBatch } from './support/concurrent-batches.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the worker');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeEachDatabase('concurrent ingest from two processes', (database) => {
  let h: Harness;
  let account: Account;

  beforeAll(async () => {
    h = await startHarness(database);
    account = await h.createAccount();
  });
  afterAll(() => h.close());

  it('stores every message exactly once when both write overlapping batches at the same time', async () => {
    // This process posts messages 0-1049 in batches of 100 starting at 0, 100, …; the other process
    // (a worker, or `wasync import` beside serve) posts the same range shifted by 50: every message
    // but the first and last 50 arrives twice, at about the same moment.
    const mine = Array.from({ length: 10 }, (_, round) => [round * 100, 100] as [number, number]);
    const theirs = Array.from({ length: 10 }, (_, round) => [round * 100 + 50, 100] as [number, number]);
    const worker = spawn(process.execPath, ['--import', 'tsx', 'test/support/ingest-worker.ts'], {
      env: {
        ...process.env,
        WASYNC_WORKER_INPUT: JSON.stringify({
          database: h.config.database,
          dataDir: h.config.dataDir,
          accountId: account.id,
          batches: theirs,
        }),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    await until(() => output.startsWith('ready\n'));
    worker.stdin.write('go\n');
    const localResults = await Promise.all(
      mine.map(([from, count]) => h.services.ingest.ingest(account, testBatch(from, count))),
    );
    expect(await exited).toBe(0);
    const workerResults = JSON.parse(output.slice('ready\n'.length)) as IngestResult[];
    const results = [...localResults, ...workerResults];

    const stored = results.reduce((n, r) => n + r.stored.messages, 0);
    const duplicates = results.reduce((n, r) => n + r.duplicates.messages, 0);
    expect(stored).toBe(1050);
    expect(duplicates).toBe(950);
    const stats = await h.services.store.accounts.stats(h.services.workspace.id);
    expect(stats.get(account.id)).toEqual({ chats: 30, messages: 1050 });
  }, 60_000);
});
