import { type Config, ConfigError, loadConfig } from '../config/index.js';

/** Wraps a command's action: reads the config once; a bad environment is reported in full, then exit 2. */
export function withConfig<A extends unknown[]>(run: (config: Config, ...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    let config: Config;
    try {
      config = loadConfig();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    await run(config, ...args);
  };
}
