import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/index.js';
import { parseDuration } from '../config/units.js';
import { type DemoHandle, runDemo, shellWord } from '../demo/index.js';
import { parsePort } from './arguments.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Run wasync end to end on this machine, no accounts needed: a seeded Salesforce sandbox, Zoho CRM sandbox and Bitrix24 sandbox, wasync serving a demo data dir with a connection to each, and a simulated WhatsApp account posting chats through the REST ingest.',
    )
    .option('--data-dir <dir>', "wasync's data dir for the demo (SQLite)", './demo-data')
    .option(
      '-p, --port <port>',
      "wasync's port (default WASYNC_PORT or 3000; a free one if taken)",
      parsePort,
    )
    .option(
      '--sandbox-port <port>',
      "the Salesforce sandbox's port (default 4100; a free one if taken)",
      parsePort,
    )
    .option(
      '--sandbox-url <url>',
      'use a Salesforce sandbox already running (`wasync sandbox salesforce`) instead of starting one',
    )
    .option(
      '--zoho-sandbox-port <port>',
      "the Zoho CRM sandbox's port (default 4200; a free one if taken)",
      parsePort,
    )
    .option(
      '--zoho-sandbox-url <url>',
      'use a Zoho CRM sandbox already running (`wasync sandbox zoho`) instead of starting one',
    )
    .option(
      '--bitrix24-sandbox-port <port>',
      "the Bitrix24 sandbox's port (default 4400; a free one if taken)",
      parsePort,
    )
    .option(
      '--bitrix24-sandbox-url <url>',
      'use a Bitrix24 sandbox already running (`wasync sandbox bitrix24`) instead of starting one',
    )
    .option(
      '--every <duration>',
      'how often the simulated account posts a new message, like 30s or 2m; 0 for never (default 30s)',
      parseEvery,
    )
    .action(
      async (options: {
        dataDir: string;
        port?: number;
        sandboxPort?: number;
        sandboxUrl?: string;
        zohoSandboxPort?: number;
        zohoSandboxUrl?: string;
        bitrix24SandboxPort?: number;
        bitrix24SandboxUrl?: string;
        every?: number;
      }) => {
        let demo: DemoHandle;
        try {
          demo = await runDemo({
            dataDir: options.dataDir,
            everyMs: options.every ?? 30_000,
            ...(options.port === undefined ? {} : { port: options.port }),
            ...(options.sandboxPort === undefined ? {} : { sandboxPort: options.sandboxPort }),
            ...(options.sandboxUrl === undefined ? {} : { sandboxUrl: options.sandboxUrl }),
            ...(options.zohoSandboxPort === undefined ? {} : { zohoSandboxPort: options.zohoSandboxPort }),
            ...(options.zohoSandboxUrl === undefined ? {} : { zohoSandboxUrl: options.zohoSandboxUrl }),
            ...(options.bitrix24SandboxPort === undefined
              ? {}
              : { bitrix24SandboxPort: options.bitrix24SandboxPort }),
            ...(options.bitrix24SandboxUrl === undefined
              ? {}
              : { bitrix24SandboxUrl: options.bitrix24SandboxUrl }),
          });
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          process.stderr.write(`${error.message}\n`);
          process.exit(2);
        }
        let stopping = false;
        const shutdown = async () => {
          if (stopping) process.exit(1);
          stopping = true;
          process.stdout.write('\nStopping the demo…\n');
          await demo.close();
          const dir = `--data-dir ${shellWord(options.dataDir)}`;
          process.stdout.write(
            `Stopped. wasync's data stays in ${options.dataDir}: \`wasync demo ${dir}\` picks it up again, \`wasync status ${dir}\` shows it.\n`,
          );
          process.exit(0);
        };
        process.on('SIGINT', shutdown);
        process.on('SIGTERM', shutdown);
      },
    );
}

function parseEvery(value: string): number {
  if (value === '0') return 0;
  const ms = parseDuration(value);
  if (ms === undefined || ms < 1_000)
    throw new InvalidArgumentError('a duration of at least 1s, like 10s or 1m, or 0');
  return ms;
}
