import path from 'node:path';
import { numberToFind } from '../src/core/phone-lookup.js';
import { buildBitrix24Sandbox, DEMO_WEBHOOK } from '../src/sandboxes/bitrix24/index.js';
import { benchPhones, ingestBenchDay, openBenchServices } from './day-messages.js';

export interface Bitrix24SyncFigures {
  chats: number;
  messages: number;
  /** HTTP requests of the first sync (the portal's bucket counts these) and the commands they carried. */
  firstSyncRequests: number;
  firstSyncCommands: number;
  /** The fewest requests the batch limits allow for the same work. */
  firstSyncMinimum: number;
  firstSyncRequestsPer1000: number;
  ratioToMinimum: number;
  /** Requests of the next sync after one more message in every chat (comments updated in place). */
  updateRequests: number;
  updateMinimum: number;
  /** Requests the portal's bucket refused (503 QUERY_LIMIT_EXCEEDED) over both syncs: the goal is none. */
  refusedByBucket: number;
  firstSyncSeconds: number;
  /** The first sync's requests by method (`batch` for the batched ones). */
  firstSyncByMethod: Record<string, number>;
}

/** batch.md: 50 commands a request; crm-duplicate-find-by-comm.md: 20 values a command; lists 50 a page. */
const COMMANDS_PER_BATCH = 50;
const VALUES_PER_FINDBYCOMM = 20;
const IDS_PER_LIST = 50;

/**
 * The first sync of a backfill against the Bitrix24 sandbox: what it costs in requests (the bucket's
 * unit) beside the fewest the batch limits allow: the CRM mode once, every number's spellings in
 * findbycomm commands of 20 values for contacts and for leads, 50 commands a request, the hits read 50
 * ids a command, and one comment a chat-day, 50 to a request.
 */
export async function benchBitrix24Sync(options: {
  workDir: string;
  chats: number;
  messagesPerChat: number;
}): Promise<Bitrix24SyncFigures> {
  const sandbox = await buildBitrix24Sandbox();
  const url = await sandbox.listen(0);
  const services = await openBenchServices(path.join(options.workDir, 'bitrix24'), url);
  const counters = async () => {
    const body = (await (await fetch(`${url}/__sandbox/counters`)).json()) as {
      total: number;
      batchCommands: Record<string, number>;
      byRoute: Record<string, number>;
      bucket: { refused: number };
    };
    const batched = Object.values(body.batchCommands).reduce((sum, n) => sum + n, 0);
    const single = body.total - (body.byRoute.batch ?? 0);
    return {
      requests: body.total,
      commands: batched + single,
      refused: body.bucket.refused,
      byRoute: body.byRoute,
    };
  };
  try {
    const phones = benchPhones(options.chats);
    for (const [n, phone] of phones.entries())
      sandbox.portal.seedContact({ name: `Bench${n}`, lastName: 'Contact', phones: [phone] });
    const connection = await services.connections.create(services.workspace.id, {
      kind: 'bitrix24',
      name: 'bench portal',
      auth: { flow: 'webhook', webhookUrl: `${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/` },
    });
    const day = await ingestBenchDay(services, phones, options.messagesPerChat);

    const before = await counters();
    const started = performance.now();
    const first = await services.sync.runNow(connection.id);
    const firstSyncSeconds = (performance.now() - started) / 1000;
    if (first.state !== 'done' || first.summary.transcriptsWritten !== options.chats)
      throw new Error(`the first sync did not write every chat: ${JSON.stringify(first)}`);
    const afterFirst = await counters();

    const values = phones.reduce((sum, phone) => sum + numberToFind(phone).searchTerms.length, 0);
    const findCommands = 2 * Math.ceil(values / VALUES_PER_FINDBYCOMM);
    const listCommands = Math.ceil(options.chats / IDS_PER_LIST);
    const updateMinimum = Math.ceil(options.chats / COMMANDS_PER_BATCH);
    const firstSyncMinimum =
      1 +
      Math.ceil(findCommands / COMMANDS_PER_BATCH) +
      Math.ceil(listCommands / COMMANDS_PER_BATCH) +
      updateMinimum;

    await day.oneMoreEach();
    const update = await services.sync.runNow(connection.id);
    if (update.state !== 'done') throw new Error(`the update sync stopped: ${JSON.stringify(update)}`);
    const afterUpdate = await counters();

    const messages = options.chats * options.messagesPerChat;
    const firstSyncRequests = afterFirst.requests - before.requests;
    return {
      chats: options.chats,
      messages,
      firstSyncRequests,
      firstSyncCommands: afterFirst.commands - before.commands,
      firstSyncMinimum,
      firstSyncRequestsPer1000: (firstSyncRequests * 1000) / messages,
      ratioToMinimum: firstSyncRequests / firstSyncMinimum,
      updateRequests: afterUpdate.requests - afterFirst.requests,
      updateMinimum,
      refusedByBucket: afterUpdate.refused - before.refused,
      firstSyncSeconds,
      firstSyncByMethod: Object.fromEntries(
        Object.entries(afterFirst.byRoute).map(([method, n]) => [method, n - (before.byRoute[method] ?? 0)]),
      ),
    };
  } finally {
    await services.close();
    await sandbox.close();
  }
}
