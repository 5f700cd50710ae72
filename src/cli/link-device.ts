import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import QRCode from 'qrcode';
import { isWasyncError } from '../core/errors.js';
import { normalizePhone } from '../core/phone.js';
import { openServices } from '../services.js';
import { LINKED_DEVICE_RISK } from '../sources/whatsapp-web/risk.js';
import type { PairingUpdate } from '../sources/whatsapp-web/session.js';
import { OWNER_OPTION, operatorAccount } from './account-owner.js';
import { dataDirOption, withConfig } from './with-config.js';

interface LinkDeviceOptions {
  account: string;
  owner?: string;
  code?: boolean;
  acceptRisk?: boolean;
}

export function linkDeviceCommand(): Command {
  return new Command('link-device')
    .description(
      'Pair a WhatsApp account as a linked device (like WhatsApp Web): shows a QR code to scan on the phone, or a code to type there; then `wasync serve` keeps it connected and backs up every chat, groups included.',
    )
    .requiredOption('--account <phone>', "the account's WhatsApp number (created if it does not exist)")
    .option(...OWNER_OPTION)
    .option('--code', 'show an 8-character pairing code to type on the phone instead of a QR code')
    .option('--accept-risk', 'accept the risk of linking through an unofficial protocol without being asked')
    .addOption(dataDirOption())
    .action(
      withConfig(async (config, options: LinkDeviceOptions) => {
        const phone = normalizePhone(options.account, { defaultRegion: config.defaultRegion });
        if (!phone.ok) throw new Error(`--account ${options.account}: ${phone.message}`);
        const out = (text: string) => process.stdout.write(`${text}\n`);
        out(wrap(LINKED_DEVICE_RISK));
        if (!options.acceptRisk && !(await confirm('Link this account anyway? Type yes: '))) {
          process.stderr.write(
            'Not linked: the owner of the account must accept the risk (answer yes, or pass --accept-risk).\n',
          );
          process.exitCode = 2;
          return;
        }
        const services = await openServices(config);
        try {
          const account = await operatorAccount(services, phone.e164, 'linked_device', options.owner);
          if (account.sourceKind !== 'linked_device') {
            throw new Error(`${phone.e164} is connected already as a ${account.sourceKind} account`);
          }
          const session = await services.linkedDevices.pair(
            account,
            { method: options.code ? 'code' : 'qr' },
            `wasync link-device (${userInfo().username})`,
          );
          out(`\nConnecting to WhatsApp to pair ${phone.e164}…`);
          const end = await new Promise<Extract<PairingUpdate, { type: 'connected' | 'failed' }>>(
            (resolve) => {
              const stop = () =>
                resolve({ type: 'failed', code: 'stopped', reason: 'Stopped before pairing finished.' });
              process.once('SIGINT', stop);
              session.onPairing((update) => {
                if (update.type === 'qr') void printQr(update.qr);
                else if (update.type === 'code') {
                  out(
                    `\nOn the phone: WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and type:\n\n    ${update.code.slice(0, 4)}-${update.code.slice(4)}\n`,
                  );
                } else {
                  process.off('SIGINT', stop);
                  resolve(update);
                }
              });
            },
          );
          if (end.type === 'failed') {
            process.stderr.write(`Not linked: ${end.reason}\n`);
            process.exitCode = 1;
            return;
          }
          await session.idle();
          out(
            `\nLinked as ${end.me}. Chats and history are stored as they arrive while \`wasync serve\` runs; it takes this session over within a minute. \`wasync status\` shows its state and history progress.`,
          );
        } catch (error) {
          if (!isWasyncError(error)) throw error;
          throw new Error(`${error.message} (${error.code})`);
        } finally {
          await services.close();
        }
      }),
    );
}

async function printQr(qr: string): Promise<void> {
  const drawing = await QRCode.toString(qr, { type: 'terminal', small: true });
  process.stdout.write(
    `\nOn the phone: WhatsApp → Settings → Linked devices → Link a device, and scan (a new code comes every 20 s):\n${drawing}\n`,
  );
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

/** The statement at terminal width, not as one long line. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
