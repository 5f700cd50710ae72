import { Command } from 'commander';
import { startWorker } from '../server/start.js';
import { createLogger, openServices } from '../services.js';
import { parsePort } from './arguments.js';
import { dataDirOption, withConfig } from './with-config.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Scale mode: run the background work (sync runs, webhook processing, media, linked-device sessions) and no API; as many as the load needs, beside `wasync serve --role api`.',
    )
    .option('-p, --port <port>', 'port of /healthz, /readyz and /metrics (overrides WASYNC_PORT)', parsePort)
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, options: { port?: number }) => {
        if (!config.redisUrl) {
          process.stderr.write(
            'wasync worker is scale mode: set REDIS_URL (and DATABASE_URL=postgres://…, WASYNC_SECRET_KEY) in every process. One process alone needs no worker: `wasync serve` does it all.\n',
          );
          process.exit(2);
        }
        const services = await openServices(config, createLogger(config), { role: 'worker' });
        const worker = await startWorker(services, { port: options.port ?? config.port, host: config.host });
        process.stdout.write(
          `wasync worker is running (probes on ${worker.url}/readyz and /metrics); SIGTERM finishes the jobs in progress, then stops.\n`,
        );
        let stopping = false;
        const shutdown = async (signal: NodeJS.Signals) => {
          if (stopping) return;
          stopping = true;
          process.stdout.write(`wasync worker: ${signal}; finishing the jobs in progress.\n`);
          await worker.close();
          process.stdout.write('wasync worker stopped.\n');
          process.exit(0);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      }),
    );
}
