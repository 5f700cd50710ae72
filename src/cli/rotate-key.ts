import { Command } from 'commander';
import { rotateSecretKey } from '../store/rotate-key.js';
import { readKeyFile } from '../store/secret-key.js';
import { dataDirOption, withConfig } from './with-config.js';

export function rotateKeyCommand(): Command {
  return new Command('rotate-key')
    .description(
      'Re-seal every stored secret (CRM credentials, Cloud API secrets, linked-device sessions) with a new key, in one transaction. Stop every other wasync process on this database first.',
    )
    .requiredOption('--new-key-file <file>', 'a file holding the new key (at least 32 characters)')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, options: { newKeyFile: string }) => {
        const { resealed, replacedKeyFile } = await rotateSecretKey(config, readKeyFile(options.newKeyFile));
        process.stdout.write(`Re-sealed ${resealed} stored secrets with the new key.\n`);
        process.stdout.write(
          replacedKeyFile
            ? `${replacedKeyFile} now holds the new key.\n`
            : 'Now set the new key (WASYNC_SECRET_KEY or WASYNC_SECRET_KEY_FILE) in every process, then start them.\n',
        );
      }),
    );
}
