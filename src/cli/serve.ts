import { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../server/app.js';
import { ensureFirstAdminToken, openServices, type Services } from '../services.js';
import { parsePort } from './arguments.js';
import { withConfig } from './with-config.js';

/** A wasync serving HTTP with its background work running: what `wasync serve` and `wasync demo` start. */
export interface RunningServer {
  app: FastifyInstance;
  /** The port bound (the one asked for, or the free one picked for port 0). */
  port: number;
  /** Where to reach it, e.g. `http://127.0.0.1:3000` (a wildcard host shows as 127.0.0.1). */
  url: string;
  /** The admin token created on the very first start, to be shown once; undefined on every later start. */
  firstToken: string | undefined;
  /** Starts the sync worker, when `deferSync` kept it stopped. */
  startSync(): void;
  /** Stops serving and the background work, then closes the services. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the app on `services`, listens, makes the first admin token if none exists, and starts the
 * media fetcher and the sync worker. A listen that fails (bad or busy port) throws before the token
 * is made, so the one-time token is not used up by a start that did not happen.
 */
export async function startServer(
  services: Services,
  options: {
    port: number;
    host: string;
    logger?: boolean;
    /** Leave the sync worker stopped until `startSync()` (the demo posts its chats first). */
    deferSync?: boolean;
  },
): Promise<RunningServer> {
  const app = await buildApp(services, options.logger === undefined ? {} : { logger: options.logger });
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const firstToken = await ensureFirstAdminToken(services);
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  services.mediaFetcher.start();
  services.webhookProcessor.start();
  services.linkedDevices.start();
  services.audit.start();
  if (!options.deferSync) services.syncWorker.start();
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  let closing: Promise<void> | undefined;
  return {
    app,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    firstToken,
    startSync: () => services.syncWorker.start(),
    close: () => {
      closing ??= (async () => {
        await app.close();
        await services.close();
      })();
      return closing;
    },
  };
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the API, webhooks and background work in one process (what `npm start` runs).')
    .option('-p, --port <port>', 'port to listen on (overrides WASYNC_PORT)', parsePort)
    .action(
      withConfig(async (config, options: { port?: number }) => {
        const services = await openServices(config);
        const server = await startServer(services, { port: options.port ?? config.port, host: config.host });
        if (server.firstToken) printFirstToken(server.firstToken);
        const storage =
          config.database.dialect === 'sqlite' ? `SQLite at ${config.database.file}` : 'Postgres';
        process.stdout.write(
          `wasync is serving on http://${config.host}:${server.port} (${storage}); API docs at /api/v1/docs\n`,
        );
        if ((await services.store.people.count(services.workspace.id)) === 0) {
          process.stdout.write(
            `Open http://${config.host}:${server.port} to create the admin account of the workspace.\n`,
          );
        }
        const shutdown = async () => {
          await server.close();
          process.exit(0);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      }),
    );
}

function printFirstToken(token: string): void {
  process.stdout.write(
    [
      '',
      '  First start: an admin API token was created. It is shown this once; store it now.',
      '',
      `    ${token}`,
      '',
      '  Use it as `Authorization: Bearer <token>`. `wasync token create` makes more.',
      '',
      '',
    ].join('\n'),
  );
}
