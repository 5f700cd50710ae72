import { Command, Option } from 'commander';
import { startServer } from '../server/start.js';
import { openServices } from '../services.js';
import { parsePort } from './arguments.js';
import { dataDirOption, withConfig } from './with-config.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the API, webhooks and background work in one process (what `npm start` runs).')
    .option('-p, --port <port>', 'port to listen on (overrides WASYNC_PORT)', parsePort)
    .addOption(
      new Option(
        '--role <role>',
        'all: API and background work in this process; api: the API only, beside `wasync worker` processes (scale mode)',
      )
        .choices(['all', 'api'])
        .default('all'),
    )
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, options: { port?: number; role: 'all' | 'api' }) => {
        if (options.role === 'api' && !config.redisUrl) {
          process.stderr.write(
            '--role api is scale mode: set REDIS_URL (and DATABASE_URL=postgres://…, WASYNC_SECRET_KEY), and run `wasync worker` beside it. Without it, `wasync serve` does it all.\n',
          );
          process.exit(2);
        }
        const services = await openServices(config, undefined, { role: options.role });
        const server = await startServer(services, {
          port: options.port ?? config.port,
          host: config.host,
          role: options.role,
          ...serveLogOptions({ isTTY: process.stdout.isTTY === true }),
        });
        if (server.firstToken) printFirstToken(server.firstToken);
        const storage =
          config.database.dialect === 'sqlite' ? `SQLite at ${config.database.file}` : 'Postgres';
        const mode = options.role === 'api' ? ", the API only: background work is the workers'" : '';
        process.stdout.write(
          `wasync is serving on http://${config.host}:${server.port} (${storage}${config.redisUrl ? ' and Redis' : ''}${mode}); API docs at /api/v1/docs\n`,
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

/**
 * How `serve` logs requests. On a terminal a person reads what serve printed at start (the admin
 * token, the URL): a line per request would push it away, so requests log at debug
 * (WASYNC_LOG_LEVEL=debug shows them). Elsewhere (a service manager, a container, a pipe) the JSON
 * lines stay as they are, one per request at info, for whatever collects them.
 */
export function serveLogOptions(output: { isTTY: boolean }): { requestLogLevel: 'info' | 'debug' } {
  return { requestLogLevel: output.isTTY ? 'debug' : 'info' };
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
