/**
 * `wasync sandbox <kind>` as a user runs it: a child process on a free port, read until it has printed
 * its URL and the line that ends its banner, then stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the sandbox with `args` after its kind; `use` gets its URL and what it printed; answers the exit code. */
export async function withCliSandbox(
  kind: string,
  args: string[],
  /** A text the banner prints last: the sandbox is ready once it is out. */
  readyWhen: string,
  use: (url: string, stdout: string) => Promise<void>,
): Promise<number | null> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/run.ts', 'sandbox', kind, '--port', '0', ...args],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 15 s; stderr: ${stderr}`)), 15_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1] && stdout.includes(readyWhen)) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    await use(url, stdout);
  } finally {
    child.kill('SIGTERM');
  }
  return exited;
}
