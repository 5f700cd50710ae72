import { Command } from 'commander';
import { openServices } from '../services.js';
import { withConfig } from './with-config.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('Show accounts with their chats, messages and last message time.')
    .option('--json', 'print JSON instead of a table')
    .action(
      withConfig(async (config, options: { json?: boolean }) => {
        const services = await openServices(config);
        try {
          const { store, workspace } = services;
          const [accounts, stats] = await Promise.all([
            store.accounts.list(workspace.id),
            store.accounts.stats(workspace.id),
          ]);
          const rows = accounts.map((a) => ({
            id: a.id,
            phone: a.phone,
            source: a.sourceKind,
            chats: stats.get(a.id)?.chats ?? 0,
            messages: stats.get(a.id)?.messages ?? 0,
            lastMessageAt: a.lastMessageAt?.toISOString() ?? null,
          }));
          const totals = {
            accounts: rows.length,
            chats: rows.reduce((n, r) => n + r.chats, 0),
            messages: rows.reduce((n, r) => n + r.messages, 0),
          };
          if (options.json) {
            process.stdout.write(
              `${JSON.stringify({ database: config.database.dialect, totals, accounts: rows }, null, 2)}\n`,
            );
            return;
          }
          process.stdout.write(
            `${totals.accounts} accounts, ${totals.chats} chats, ${totals.messages} messages (${config.database.dialect})\n`,
          );
          if (rows.length > 0) {
            console.table(
              rows.map((r) => ({ ...r, lastMessageAt: r.lastMessageAt ?? 'never' })),
              ['phone', 'source', 'chats', 'messages', 'lastMessageAt'],
            );
          }
        } finally {
          await services.close();
        }
      }),
    );
}
