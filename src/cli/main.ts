import { Command } from 'commander';
import { auditCommand } from './audit.js';
import { demoCommand } from './demo.js';
import { importCommand } from './import.js';
import { linkDeviceCommand } from './link-device.js';
import { mediaCommand } from './media.js';
import { migrateCommand } from './migrate.js';
import { eraseCommand, exportPersonCommand, tombstoneCommand } from './privacy.js';
import { rotateKeyCommand } from './rotate-key.js';
import { sandboxCommand } from './sandbox.js';
import { serveCommand } from './serve.js';
import { setupCommand } from './setup.js';
import { statusCommand } from './status.js';
import { syncCommand } from './sync.js';
import { tokenCommand } from './token.js';
import { workerCommand } from './worker.js';

export function buildCli(): Command {
  const program = new Command('wasync')
    .description('WhatsApp conversations, backed up into your CRM.')
    .version('0.1.0')
    .showHelpAfterError();
  program.addCommand(serveCommand());
  program.addCommand(workerCommand());
  program.addCommand(migrateCommand());
  program.addCommand(rotateKeyCommand());
  program.addCommand(tokenCommand());
  program.addCommand(auditCommand());
  program.addCommand(statusCommand());
  program.addCommand(syncCommand());
  program.addCommand(setupCommand());
  program.addCommand(sandboxCommand());
  program.addCommand(demoCommand());
  program.addCommand(importCommand());
  program.addCommand(linkDeviceCommand());
  program.addCommand(eraseCommand());
  program.addCommand(exportPersonCommand());
  program.addCommand(tombstoneCommand());
  program.addCommand(mediaCommand());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    process.stderr.write(`wasync: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
