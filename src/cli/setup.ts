import { Command } from 'commander';
import { AuditLog } from '../audit/audit-log.js';
import { CrmError } from '../crms/types.js';
import { openServices } from '../services.js';
import { withConfig } from './with-config.js';

export function setupCommand(): Command {
  const setup = new Command('setup').description('Prepare a connected CRM for wasync.');
  setup
    .command('salesforce')
    .description(
      'Create the WhatsApp Chat custom object and its fields (Metadata API), grant the connection\'s user access to them through the "WhatsApp Backup" permission set, and add the WhatsApp Chats related list to the Contact and Lead page layouts. The README lists the permissions it needs. Safe to run again.',
    )
    .requiredOption(
      '-c, --connection <id-or-name>',
      'the Salesforce connection (see POST /api/v1/connections)',
    )
    .action(
      withConfig(async (config, options: { connection: string }) => {
        const services = await openServices(config);
        try {
          const connection = await services.connections.get(services.workspace.id, options.connection);
          const report = await services.connections.setUp(services.workspace.id, options.connection);
          await services.audit.record(
            { actor: AuditLog.cli },
            'connection.setup_run',
            { type: 'connection', id: connection.id, label: connection.name },
            { created: report.created, manualSteps: report.manualSteps.length },
          );
          for (const name of report.created) process.stdout.write(`created  ${name}\n`);
          for (const name of report.existing) process.stdout.write(`existing ${name}\n`);
          for (const step of report.manualSteps) process.stdout.write(`to do    ${step}\n`);
          process.stdout.write(
            report.manualSteps.length === 0
              ? 'The org is ready for wasync.\n'
              : 'The org is ready for wasync; the steps marked "to do" are left for you in Salesforce.\n',
          );
        } catch (error) {
          if (!(error instanceof CrmError)) throw error;
          process.stderr.write(`wasync: ${error.message} (${error.code})\n`);
          process.exitCode = 1;
        } finally {
          await services.close();
        }
      }),
    );
  return setup;
}
