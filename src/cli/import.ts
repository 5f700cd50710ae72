import path from 'node:path';
import { Command, Option } from 'commander';
import { AuditLog } from '../audit/audit-log.js';
import { isWasyncError } from '../core/errors.js';
import { normalizePhone } from '../core/phone.js';
import { openServices } from '../services.js';
import { type ImportSummary, importChatExportFile } from '../sources/chat-export/import.js';
import { importContext } from '../sources/chat-export/limits.js';
import { DATE_ORDERS, type DateOrder } from '../sources/chat-export/parser.js';
import { OWNER_OPTION, operatorAccount } from './account-owner.js';
import { progressReporter } from './progress.js';
import { dataDirOption, withConfig } from './with-config.js';

interface ImportCliOptions {
  account: string;
  owner?: string;
  chatWith?: string;
  me?: string;
  chatName?: string;
  tz?: string;
  dateOrder?: DateOrder;
  json?: boolean;
  /** `--no-crm` makes it false. */
  crm: boolean;
}

export function importCommand(): Command {
  return new Command('import')
    .description(
      'Import a WhatsApp "Export chat" file (.txt or .zip with media) into an account; importing it again, or a newer overlapping export, adds only what is new.',
    )
    .argument('<file>', 'the exported .txt or .zip')
    .requiredOption('--account <phone>', "the account's WhatsApp number (created if it does not exist)")
    .option(...OWNER_OPTION)
    .option('--chat-with <phone>', 'phone of the other person of a 1:1 chat')
    .option('--me <name>', "the account owner's name as the export writes it")
    .option('--chat-name <name>', 'name of the chat (default: from the file name)')
    .option('--tz <zone>', 'time zone of the phone that exported (default: WASYNC_TIME_ZONE)')
    .addOption(
      new Option('--date-order <order>', 'date order when the file is ambiguous').choices(DATE_ORDERS),
    )
    .option(
      '--no-crm',
      'leave the imported history to the backfill window (by default all of it goes to the CRM, whatever its age)',
    )
    .option('--json', 'print the summary as JSON')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, file: string, options: ImportCliOptions) => {
        const phone = normalizePhone(options.account, { defaultRegion: config.defaultRegion });
        if (!phone.ok) throw new Error(`--account ${options.account}: ${phone.message}`);
        const services = await openServices(config);
        const progress = progressReporter({ quiet: options.json === true });
        try {
          const { workspace } = services;
          const account = await operatorAccount(services, phone.e164, 'chat_export', options.owner);
          await services.audit.record(
            { actor: AuditLog.cli },
            'import.started',
            { type: 'account', id: account.id, label: account.phone },
            { fileName: path.basename(file) },
          );
          const context = importContext(services);
          const summary = await importChatExportFile(context.services, file, path.basename(file), {
            account,
            chatWith: options.chatWith,
            me: options.me,
            chatName: options.chatName,
            timeZone: options.tz ?? workspace.timeZone,
            dateOrder: options.dateOrder,
            toCrm: options.crm,
            defaultRegion: config.defaultRegion,
            ...context.limits,
            onProgress: progress.update,
          });
          progress.done();
          if (options.json) {
            process.stdout.write(`${JSON.stringify({ accountId: account.id, ...summary }, null, 2)}\n`);
          } else printSummary(summary);
        } catch (error) {
          progress.done();
          if (!isWasyncError(error)) throw error;
          throw new Error(`${error.message} (${error.code})`);
        } finally {
          await services.close();
        }
      }),
    );
}

function printSummary(s: ImportSummary): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `Imported ${s.chat.kind === 'direct' ? `the chat with ${s.chat.key.slice('direct:'.length)}` : `the group ${s.chat.title ?? s.chat.key}`} (${s.lines} lines, dates ${s.dateOrder}${s.dateOrderDetected ? '' : ' as given'})`,
  );
  out(
    `  messages: ${s.messages.total} (${s.messages.new} new, ${s.messages.existing} already there; ${s.messages.system} system${s.messages.dropped ? `; ${s.messages.dropped} left out: erased person` : ''})`,
  );
  out(
    `  media: ${s.media.found} found, ${s.media.missing} missing, ${s.media.omitted} left out of the export${s.media.tooLarge ? `, ${s.media.tooLarge} too large` : ''}`,
  );
  const reasons = Object.entries(s.skipped.reasons)
    .map(([reason, n]) => `${n} ${reason.replaceAll('_', ' ')}`)
    .join(', ');
  out(`  lines skipped: ${s.skipped.total}${reasons ? ` (${reasons})` : ''}`);
  if (s.authors.me === undefined) out('  the account owner was not found among the authors (use --me NAME)');
  else out(`  account owner: ${s.authors.me}`);
  out(
    s.toCrm
      ? '  CRM: the whole history goes to the linked contacts and leads at the next sync, whatever its age'
      : '  CRM: only what is within the backfill window goes (--no-crm)',
  );
}
