import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A long-running `wasync` process (an API process, a worker) started from the sources. */
export interface WasyncProcess {
  child: ChildProcess;
  /** How its sync runs name it (host:pid), in the lease and on live events. */
  owner: string;
  output: () => string;
  /** The URL it printed once listening. */
  url: Promise<string>;
}

/** `wasync <args>` as a deployment runs it, with none of this process's WASYNC_ settings, only `env`. */
export function startWasync(args: string[], env: Record<string, string>): WasyncProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('WASYNC_') && name !== 'REDIS_URL'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL from wasync ${args[0]}: ${output}`)), 90_000);
    const look = () => {
      const found = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found?.[1]) {
        clearTimeout(timer);
        resolve(found[1]);
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`wasync ${args[0]} exited: ${output}`));
      } else setTimeout(look, 50);
    };
    look();
  });
  return { child, owner: `${hostname()}:${child.pid}`, output: () => output, url };
}
