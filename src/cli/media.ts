import { Command, Option } from 'commander';
import { ConfigError } from '../config/index.js';
import { copyMedia } from '../store/blobs/copy-media.js';
import { FileBlobStore } from '../store/blobs/file-blob-store.js';
import { PostgresBlobStore } from '../store/blobs/postgres-blob-store.js';
import { openStore } from '../store/index.js';
import { dataDirOption, withConfig } from './with-config.js';

/** `wasync media copy --to database|filesystem`: moving media between the two stores, one way. */
export function mediaCommand(): Command {
  const media = new Command('media').description('Media files: where their bytes are stored.');
  media.addCommand(
    new Command('copy')
      .description(
        "Copy every stored media file from the other store into this one (the data dir's folder or the Postgres database); safe to run again. Then set WASYNC_MEDIA_STORE to it in every process.",
      )
      .addOption(
        new Option('--to <store>', 'the store to copy into')
          .choices(['database', 'filesystem'])
          .makeOptionMandatory(),
      )
      .addOption(dataDirOption())
      .action(
        withConfig(async (config, options: { to: 'database' | 'filesystem' }) => {
          if (config.database.dialect !== 'postgres') {
            process.stderr.write(
              `${new ConfigError(['DATABASE_URL: media copy moves files to or from Postgres; this database is SQLite']).message}\n`,
            );
            process.exit(2);
          }
          const store = await openStore({ ...config, mediaStore: 'filesystem' });
          try {
            const files = new FileBlobStore(config.dataDir);
            const database = new PostgresBlobStore(store.sql.db);
            const [from, to] = options.to === 'database' ? [files, database] : [database, files];
            const report = await copyMedia({ db: store.sql.db, from, to });
            process.stdout.write(
              `Copied ${report.copied} media files into the ${options.to}; ${report.present} were there already.\n`,
            );
            if (report.missing.length > 0)
              process.stdout.write(
                `${report.missing.length} files named by media rows were not in the source store: ${report.missing.join(', ')}\n`,
              );
            process.stdout.write(`Now set WASYNC_MEDIA_STORE=${options.to} in every wasync process.\n`);
          } finally {
            await store.close();
          }
        }),
      ),
  );
  return media;
}
