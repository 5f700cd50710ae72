import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import type { Account } from '../src/core/model.js';
import type { IngestItem } from '../src/ingest/types.js';
import { openServices, type Services } from '../src/services.js';

/** A text message of a bench conversation, in a direct chat with `phone`, through the REST ingest's shape. */
export function message(id: string, phone: string, sentAt: number, fromMe: boolean): IngestItem {
  return {
    kind: 'message',
    sourceId: id,
    chat: { kind: 'direct', partner: { phone } },
    sender: fromMe ? undefined : { phone },
    fromMe,
    sentAt,
    type: 'text',
    text: `${fromMe ? 'Reply' : 'Question'} ${id}: is the blue one in stock, and when can it ship?`,
    replyTo: undefined,
    details: undefined,
    media: undefined,
    raw: {},
  };
}

/** The bench's numbers: `count` US numbers in a row, one chat each. */
export function benchPhones(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `+1415${String(5_550_000 + n).padStart(7, '0')}`);
}

/** wasync on its embedded store in `dir`, calling only the sandbox at `sandboxUrl`. */
export async function openBenchServices(dir: string, sandboxUrl: string): Promise<Services> {
  const config = loadConfig({
    WASYNC_DATA_DIR: dir,
    WASYNC_LOG_LEVEL: 'silent',
    WASYNC_OUTBOUND_ALLOW: new URL(sandboxUrl).host,
  });
  return openServices(config, pino({ level: 'silent' }));
}

/**
 * One day of conversation from a new REST account: `messagesPerChat` messages in a chat with each
 * number, within the last hours of yesterday (UTC), inside the backfill window; `oneMoreEach` adds one
 * more message to every chat later that day. Answers the account too.
 */
export async function ingestBenchDay(
  services: Services,
  phones: readonly string[],
  messagesPerChat: number,
): Promise<{ account: Account; oneMoreEach(): Promise<void> }> {
  const account = await services.store.accounts.create({
    workspaceId: services.workspace.id,
    phone: '+14155550000',
    sourceKind: 'rest',
    displayName: 'Bench rep',
  });
  if (!account) throw new Error('bench account exists');
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  const dayStart = day.getTime() - 86_400_000 + 3_600_000;
  const items: IngestItem[] = [];
  for (const [n, phone] of phones.entries())
    for (let m = 0; m < messagesPerChat; m++)
      items.push(message(`bench-${n}-${m}`, phone, dayStart + n * 1000 + m * 60_000, m % 2 === 1));
  for (let i = 0; i < items.length; i += 500) await services.ingest.ingest(account, items.slice(i, i + 500));
  return {
    account,
    oneMoreEach: async () => {
      await services.ingest.ingest(
        account,
        phones.map((phone, n) => message(`bench-more-${n}`, phone, dayStart + 20 * 3_600_000 + n, false)),
      );
    },
  };
}
