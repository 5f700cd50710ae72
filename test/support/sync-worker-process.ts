import { spawn } from 'node:child_process';
import type { WorkerInput } from './worker-config.js';

/**
 * A sync process of its own (test/support/sync-worker.ts) on the test's store: it runs the connection
 * until a run finds nothing to do, printing `ready` and `quiet`. Tests kill it, stop it and resume it.
 */
export function startSyncWorker(input: WorkerInput & { connectionId: string }) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/sync-worker.ts'], {
    env: { ...process.env, WASYNC_WORKER_INPUT: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (text: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" from the worker: ${output}`)), timeoutMs);
      const check = () => {
        if (output.includes(text)) {
          clearTimeout(timer);
          resolve();
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`the worker exited before "${text}": ${output}`));
        } else setTimeout(check, 10);
      };
      check();
    });
  return { child, exited, line, output: () => output };
}
