import { Command } from 'commander';
import { openDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrations/index.js';
import { dataDirOption, withConfig } from './with-config.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Bring the database schema up to date (serve also does this at start).')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config) => {
        const store = await openDatabase(config.database, { migrate: false });
        try {
          const { applied } = await migrateToLatest(store.db, store.dialect);
          process.stdout.write(
            applied.length ? `Applied: ${applied.join(', ')}\n` : 'The schema is up to date.\n',
          );
        } finally {
          await store.close();
        }
      }),
    );
}
