import { Command } from 'commander';
import pino from 'pino';
import type { Config } from '../config/index.js';
import { createLogger, LOG_REDACTIONS, openServices } from '../services.js';
import { describeSummary, seconds } from '../sync/run-summary-text.js';
import type { RunOutcome } from '../sync/service.js';
import { count } from './format.js';
import { dataDirOption, withConfig } from './with-config.js';

/** The summary line lives with the sync, where the API and the workspace read it too. */
export { describeSummary } from '../sync/run-summary-text.js';

interface SyncOptions {
  once?: boolean;
  connection?: string;
  json?: boolean;
}

export function syncCommand(): Command {
  return new Command('sync')
    .description(
      'Sync the CRM connections. With --once: one pass over each connection now, in this process, with a summary. Without: the sync worker in the foreground (the one `wasync serve` runs beside the API) until Ctrl-C.',
    )
    .option(
      '--once',
      'one pass now, then exit: 0 when every connection finished, 1 when one stopped on an error or is parked',
    )
    .option('-c, --connection <id-or-name>', 'with --once: only this connection')
    .option('--json', 'with --once: print JSON instead of one line per connection')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, options: SyncOptions) => {
        if (options.once) await syncOnce(config, options);
        else await runWorker(config, options);
      }),
    );
}

/** What `sync --once` prints per connection, and carries in its JSON. */
interface ConnectionRun {
  id: string;
  name: string;
  outcome: RunOutcome;
}

async function syncOnce(config: Config, options: SyncOptions): Promise<void> {
  // Logs go to stderr so stdout is only the summary (or JSON). The summary says what the info lines
  // would, so the default level shows warnings and errors only; debug and trace go through as asked.
  const logger = pino(
    {
      level: config.logLevel === 'info' ? 'warn' : config.logLevel,
      redact: { paths: LOG_REDACTIONS, censor: '[redacted]' },
    },
    pino.destination({ dest: 2, sync: true }),
  );
  const services = await openServices(config, logger);
  try {
    const { connections, sync, workspace } = services;
    const targets = options.connection
      ? [await connections.get(workspace.id, options.connection)]
      : await connections.list(workspace.id);
    const runs: ConnectionRun[] = [];
    for (const connection of targets) {
      const outcome = await sync.runNow(connection.id);
      runs.push({ id: connection.id, name: connection.name, outcome });
      if (!options.json) process.stdout.write(`${connection.name}: ${describeOutcome(outcome)}\n`);
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ connections: runs.map(runJson) }, null, 2)}\n`);
    } else if (runs.length === 0) {
      process.stdout.write('No CRM connections yet: add one with POST /api/v1/connections.\n');
    }
    if (runs.some((run) => run.outcome.state === 'retrying' || run.outcome.state === 'parked')) {
      process.exitCode = 1;
    }
  } finally {
    await services.close();
  }
}

async function runWorker(config: Config, options: SyncOptions): Promise<void> {
  if (options.connection || options.json) {
    throw new Error('--connection and --json go with --once; the worker syncs every connection');
  }
  const services = await openServices(config, createLogger(config));
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  services.syncWorker.start();
  const connections = (await services.connections.list(services.workspace.id)).length;
  // The workspace's own interval when an admin set one, as the worker uses it.
  const settings = await services.store.workspaces.settings(services.workspace.id);
  const intervalMs = settings.syncIntervalMs ?? config.syncIntervalMs;
  process.stdout.write(
    `wasync sync worker: ${count(connections, 'CRM connection')}, each synced every ${seconds(intervalMs)}; Ctrl-C stops it. (\`wasync serve\` runs this worker itself.)\n`,
  );
  await stopped;
  // Waits for the run in progress, so nothing is left half written.
  await services.close();
  process.stdout.write('wasync sync worker stopped.\n');
}

function runJson(run: ConnectionRun): Record<string, unknown> {
  const { outcome } = run;
  const base = { id: run.id, name: run.name, state: outcome.state };
  switch (outcome.state) {
    case 'done':
      return { ...base, summary: outcome.summary };
    case 'retrying':
      return {
        ...base,
        error: outcome.error,
        retryAt: outcome.retryAt.toISOString(),
        summary: outcome.summary ?? null,
      };
    case 'parked':
      return { ...base, reason: outcome.reason, summary: outcome.summary ?? null };
    case 'busy':
      return base;
  }
}

export function describeOutcome(outcome: RunOutcome): string {
  switch (outcome.state) {
    case 'done':
      return describeSummary(outcome.summary);
    case 'retrying':
      return `stopped: ${outcome.error}; next try at ${outcome.retryAt.toISOString()}${
        outcome.summary ? ` (before stopping: ${describeSummary(outcome.summary)})` : ''
      }`;
    case 'parked':
      return `parked: ${outcome.reason}`;
    case 'busy':
      return 'busy: another process is syncing it';
  }
}
