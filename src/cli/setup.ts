import { Command } from 'commander';
import { AuditLog } from '../audit/audit-log.js';
import { type CrmKindDefinition, crmRegistry } from '../crms/registry.js';
import { CrmError } from '../crms/types.js';
import { openServices } from '../services.js';
import { dataDirOption, withConfig } from './with-config.js';

/** `wasync setup <kind>`: one subcommand per registered CRM kind. */
export function setupCommand(): Command {
  const setup = new Command('setup').description('Prepare a connected CRM for wasync.');
  for (const definition of crmRegistry.list()) setup.addCommand(kindSetupCommand(definition));
  return setup;
}

function kindSetupCommand(definition: CrmKindDefinition): Command {
  return new Command(definition.kind)
    .description(definition.setup?.description ?? `${definition.displayName} needs no setup.`)
    .requiredOption(
      '-c, --connection <id-or-name>',
      `the ${definition.displayName} connection (see POST /api/v1/connections)`,
    )
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, options: { connection: string }) => {
        const services = await openServices(config);
        try {
          const connection = await services.connections.get(services.workspace.id, options.connection);
          if (connection.kind !== definition.kind) {
            const actual = services.connections.registry.get(connection.kind)?.displayName ?? connection.kind;
            process.stderr.write(
              `wasync: ${connection.name} is a ${actual} connection: run wasync setup ${connection.kind}\n`,
            );
            process.exitCode = 1;
            return;
          }
          if (!definition.setup) {
            process.stderr.write(
              `wasync: ${definition.displayName} has no setup step: ${connection.name} syncs as it is.\n`,
            );
            process.exitCode = 1;
            return;
          }
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
          const { done } = definition.setup;
          process.stdout.write(
            report.manualSteps.length === 0
              ? `${done}\n`
              : `${done.replace(/\.$/, '')}; the steps marked "to do" are left for you in ${definition.displayName}.\n`,
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
}
