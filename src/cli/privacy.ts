import fs from 'node:fs';
import os from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { AuditLog } from '../audit/audit-log.js';
import { erasureNumber, hintOf } from '../privacy/erasure.js';
import { personExport } from '../privacy/person-export.js';
import { zipStream } from '../privacy/zip-stream.js';
import { defaultRegionOf, openServices, type Services } from '../services.js';
import type { CrmWriteItem, ErasureCounts } from '../store/repositories/erasures.js';
import { dataDirOption, withConfig } from './with-config.js';

const write = (text: string) => process.stdout.write(text);

function countsText(removed: ErasureCounts): string {
  return Object.entries(removed)
    .map(([kind, n]) => `  ${kind}: ${n}`)
    .join('\n');
}

function writesText(items: readonly CrmWriteItem[]): string {
  if (items.length === 0) return '  (none)';
  return items
    .map(
      (w) =>
        `  ${w.connectionName} ${w.kind} ${w.crmId} on ${w.recordType} ${w.recordId}${w.day ? ` (${w.day})` : ''}: ${w.state}${w.error ? ` — ${w.errorCode}: ${w.error}` : ''}`,
    )
    .join('\n');
}

async function withServices(
  config: Parameters<Parameters<typeof withConfig>[0]>[0],
  run: (s: Services) => Promise<void>,
) {
  const services = await openServices(config);
  try {
    await run(services);
  } finally {
    await services.close();
  }
}

/** `wasync erase PHONE`: a preview, then with --yes the erasure (and with --delete-in-crm the CRM deletions). */
export function eraseCommand(): Command {
  return new Command('erase')
    .description(
      'Erase a person by number: their messages, media, identities and links, and tombstone the number. Without --yes only shows what would go.',
    )
    .argument('<phone>', 'the number in any spelling (the workspace region applies)')
    .option('--yes', 'erase (without it nothing is written)')
    .option(
      '--delete-in-crm',
      'then delete in the CRMs the chat records, notes and files wasync wrote from their chats',
    )
    .option('--json', 'print the result as JSON')
    .addOption(dataDirOption())
    .action(
      withConfig(
        async (config, phone: string, options: { yes?: boolean; deleteInCrm?: boolean; json?: boolean }) =>
          withServices(config, async (services) => {
            const workspaceId = services.workspace.id;
            const e164 = erasureNumber(phone, defaultRegionOf(services));
            if (!options.yes) {
              const preview = await services.erasures.preview(workspaceId, e164);
              if (options.json)
                return void write(`${JSON.stringify({ dryRun: true, ...preview }, null, 2)}\n`);
              write(`Erasing ${e164} would remove:\n${countsText(preview.removed)}\n`);
              write(`CRM writes made from their chats:\n${writesText(preview.crmWrites)}\n`);
              write(
                `${preview.tombstoned ? 'The number is tombstoned already.\n' : ''}Nothing was written; run again with --yes to erase.\n`,
              );
              return;
            }
            let erasure = await services.erasures.erase(workspaceId, e164, `cli (${os.userInfo().username})`);
            const target = { type: 'erasure', id: erasure.id, label: erasure.phoneHint };
            await services.audit.record({ actor: AuditLog.cli }, 'person.erased', target, {
              removed: erasure.removed,
              crmWrites: erasure.crmWrites.length,
            });
            if (options.deleteInCrm && erasure.crmWrites.length > 0) {
              erasure = await services.erasures.deleteCrmWrites(workspaceId, erasure.id);
              await services.audit.record({ actor: AuditLog.cli }, 'erasure.crm_deleted', target);
            }
            if (options.json) return void write(`${JSON.stringify(erasure, null, 2)}\n`);
            write(
              `Erased ${erasure.phoneHint} (${erasure.id}); the number is tombstoned.\nRemoved:\n${countsText(erasure.removed)}\n`,
            );
            write(`CRM writes made from their chats:\n${writesText(erasure.crmWrites)}\n`);
            if (erasure.crmWrites.some((w) => w.state === 'failed')) process.exitCode = 1;
          }),
      ),
    );
}

/** `wasync export-person PHONE --out FILE`: the zip of an access request. */
export function exportPersonCommand(): Command {
  return new Command('export-person')
    .description('Write everything the store holds about a person (by number) to a zip: an access request.')
    .argument('<phone>', 'the number in any spelling (the workspace region applies)')
    .requiredOption('-o, --out <file>', 'the zip to write')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, phone: string, options: { out: string }) =>
        withServices(config, async (services) => {
          const e164 = erasureNumber(phone, defaultRegionOf(services));
          const found = await personExport(services.store, services.workspace.id, e164);
          if (!found) throw new Error(`the store holds nothing about ${e164}`);
          await services.audit.record(
            { actor: AuditLog.cli },
            'person.exported',
            { type: 'person', label: hintOf(e164) },
            { messages: found.messages, files: found.files },
          );
          await pipeline(zipStream(found.entries), fs.createWriteStream(options.out, { mode: 0o600 }));
          write(`${options.out}: ${found.messages} messages, ${found.files} media files\n`);
        }),
      ),
    );
}

/** `wasync tombstone list|lift PHONE`. */
export function tombstoneCommand(): Command {
  const command = new Command('tombstone').description('Numbers erased and kept from being captured again.');
  command
    .command('list')
    .description('List the tombstones (numbers show only as country code and last two digits).')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config) =>
        withServices(config, async (services) => {
          const all = await services.store.tombstones.list(services.workspace.id);
          if (all.length === 0) write('No tombstones.\n');
          for (const t of all)
            write(
              `${t.id}  ${t.phoneHint}  since ${t.createdAt.toISOString()}${t.erasureId ? `  (erasure ${t.erasureId})` : ''}\n`,
            );
        }),
      ),
    );
  command
    .command('lift')
    .description('Lift the tombstone of a number: the person may be captured again from now on.')
    .argument('<phone>', 'the number in any spelling')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, phone: string) =>
        withServices(config, async (services) => {
          const workspaceId = services.workspace.id;
          const found = await services.store.tombstones.findByPhone(
            workspaceId,
            erasureNumber(phone, defaultRegionOf(services)),
          );
          if (!found) throw new Error('that number is not tombstoned');
          await services.store.tombstones.lift(workspaceId, found.id);
          await services.audit.record({ actor: AuditLog.cli }, 'tombstone.lifted', {
            type: 'tombstone',
            id: found.id,
            label: found.phoneHint,
          });
          write(`Lifted ${found.id} (${found.phoneHint}).\n`);
        }),
      ),
    );
  return command;
}
