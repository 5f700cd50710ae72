import { Command, Option } from 'commander';
import { AuditLog } from '../audit/audit-log.js';
import type { Role } from '../core/model.js';
import { openServices } from '../services.js';
import { dataDirOption, withConfig } from './with-config.js';

export function tokenCommand(): Command {
  const token = new Command('token').description('Manage API tokens.');
  token
    .command('create')
    .description('Create an API token and print it (it is shown only once).')
    .option('-n, --name <name>', 'what the token is for', 'cli')
    .addOption(dataDirOption())
    .addOption(
      new Option('-r, --role <role>', 'what it may do').choices(['admin', 'member']).default('admin'),
    )
    .action(
      withConfig(async (config, options: { name: string; role: Role }) => {
        const services = await openServices(config);
        try {
          const created = await services.store.tokens.create({
            workspaceId: services.workspace.id,
            name: options.name,
            role: options.role,
          });
          await services.audit.record(
            { actor: AuditLog.cli },
            'token.created',
            { type: 'token', id: created.info.id, label: created.info.name },
            { role: created.info.role, prefix: created.info.prefix },
          );
          process.stdout.write(`${created.token}\n`);
        } finally {
          await services.close();
        }
      }),
    );
  return token;
}
