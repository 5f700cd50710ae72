import { Command } from 'commander';
import { buildApp } from '../server/app.js';
import { ensureFirstAdminToken, openServices } from '../services.js';
import { parsePort } from './arguments.js';
import { withConfig } from './with-config.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the API, webhooks and background work in one process (what `npm start` runs).')
    .option('-p, --port <port>', 'port to listen on (overrides WASYNC_PORT)', parsePort)
    .action(
      withConfig(async (config, options: { port?: number }) => {
        const services = await openServices(config);
        const app = await buildApp(services);
        const requested = options.port ?? config.port;
        await app.listen({ port: requested, host: config.host });
        // Only once listening: a start that fails (bad or busy port) must not use up the one-time token.
        const token = await ensureFirstAdminToken(services);
        const address = app.server.address();
        const port = typeof address === 'object' && address !== null ? address.port : requested;
        services.mediaFetcher.start();
        services.syncWorker.start();
        if (token) printFirstToken(token);
        const storage =
          config.database.dialect === 'sqlite' ? `SQLite at ${config.database.file}` : 'Postgres';
        process.stdout.write(
          `wasync is serving on http://${config.host}:${port} (${storage}); API docs at /api/v1/docs\n`,
        );
        const shutdown = async () => {
          await app.close();
          await services.close();
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
