import { Command, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from '../config/index.js';

/**
 * `--data-dir <dir>`, on every command that opens the store: the data dir (and so the SQLite file) to
 * work on, over WASYNC_DATA_DIR. {@link withConfig} applies it, so every command reads it the same way.
 */
export function dataDirOption(): Option {
  return new Option(
    '--data-dir <dir>',
    'the data dir to work on: its SQLite file, media and key (overrides WASYNC_DATA_DIR; DATABASE_URL, when set, still names the database)',
  );
}

/**
 * The environment a command's config is read from: the process's, with the command's `--data-dir`
 * in place of WASYNC_DATA_DIR.
 */
export function commandEnv(
  options: { dataDir?: unknown },
  env: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  return typeof options.dataDir === 'string' ? { ...env, WASYNC_DATA_DIR: options.dataDir } : env;
}

/**
 * Wraps a command's action: reads the config once, with the command's `--data-dir` over
 * WASYNC_DATA_DIR; a bad environment is reported in full, then exit 2.
 */
export function withConfig<A extends unknown[]>(run: (config: Config, ...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    // Commander passes the command itself last.
    const command = args.at(-1);
    const options = command instanceof Command ? command.opts<{ dataDir?: string }>() : {};
    const env = commandEnv(options);
    let config: Config;
    try {
      config = loadConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    if (options.dataDir !== undefined && env.DATABASE_URL) {
      const database = config.database.dialect === 'sqlite' ? config.database.file : 'Postgres';
      process.stderr.write(
        `wasync: the database is DATABASE_URL's (${database}); --data-dir ${options.dataDir} is used for media and the key only.\n`,
      );
    }
    await run(config, ...args);
  };
}
