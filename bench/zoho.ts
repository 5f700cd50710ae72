import path from 'node:path';
import { numberToFind } from '../src/core/phone-lookup.js';
import { buildZohoSandbox, DEMO_CLIENT } from '../src/sandboxes/zoho/index.js';
import { benchPhones, ingestBenchDay, openBenchServices } from './day-messages.js';

export interface ZohoSyncFigures {
  chats: number;
  messagesPerChat: number;
  dealsPerContact: number;
  /** API calls of the first sync (lookups, deals, notes), and the credits the org counted for them. */
  firstSyncCalls: number;
  firstSyncCredits: number;
  /** The fewest calls Zoho's limits allow for the same work. */
  firstSyncMinimum: number;
  firstSyncCallsPer1000: number;
  firstSyncCreditsPer1000: number;
  ratioToMinimum: number;
  /** Calls of the next sync after one more message in every chat (notes updated in place). */
  updateCalls: number;
  updateMinimum: number;
  /** Access tokens issued for both syncs: one, used for its hour. */
  tokens: number;
}

/** COQL: 50 values an `in`, 25 criteria a where (12 lists on Phone and Mobile); notes 100 a call. */
const COQL_SPELLINGS_PER_QUERY = 12 * 50;
const NOTES_PER_CALL = 100;

/**
 * The sync against the Zoho sandbox: what a day of conversation costs in API calls and credits (the
 * org's budget per 24 hours), beside the fewest Zoho's limits allow: the organization read once for
 * record links, the exact spellings in COQL queries of 600 values for contacts and for leads, each
 * contact's deals (the related list has no batch form), and the notes of the record and its deals
 * 100 a call.
 */
export async function benchZohoSync(options: {
  workDir: string;
  chats: number;
  messagesPerChat: number;
  dealsPerContact: number;
}): Promise<ZohoSyncFigures> {
  const sandbox = await buildZohoSandbox();
  const url = await sandbox.listen(0);
  const services = await openBenchServices(path.join(options.workDir, 'zoho'), url);
  const inspect = async (method: string, route: string, body?: unknown) =>
    (await (
      await fetch(`${url}/__sandbox/${route}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      })
    ).json()) as Record<string, unknown>;
  const counters = async () => {
    const body = (await inspect('GET', 'counters')) as {
      total: number;
      budget: { creditsUsed: number };
      tokens: { issuedInWindow: number }[];
    };
    return {
      calls: body.total,
      credits: body.budget.creditsUsed,
      tokens: body.tokens.reduce((sum, token) => sum + token.issuedInWindow, 0),
    };
  };
  try {
    const phones = benchPhones(options.chats);
    for (const [n, phone] of phones.entries()) {
      const { id } = (await inspect('POST', 'records', {
        module: 'Contacts',
        fields: { First_Name: `Bench${n}`, Last_Name: 'Contact', Mobile: phone },
      })) as { id: string };
      for (let d = 0; d < options.dealsPerContact; d++)
        await inspect('POST', 'records', {
          module: 'Deals',
          fields: { Deal_Name: `Bench${n} deal ${d}`, Stage: 'Qualification', Contact_Name: id },
        });
    }
    const { refresh_token: refreshToken } = (await inspect('POST', 'self-client', {})) as {
      refresh_token: string;
    };
    const connection = await services.connections.create(services.workspace.id, {
      kind: 'zoho',
      name: 'bench org',
      accountsUrl: url,
      auth: {
        flow: 'refresh_token',
        clientId: DEMO_CLIENT.clientId,
        clientSecret: DEMO_CLIENT.clientSecret,
        refreshToken,
      },
    });
    const day = await ingestBenchDay(services, phones, options.messagesPerChat);

    const before = await counters();
    const first = await services.sync.runNow(connection.id);
    if (first.state !== 'done' || first.summary.transcriptsWritten !== options.chats)
      throw new Error(`the first sync did not write every chat: ${JSON.stringify(first)}`);
    const afterFirst = await counters();

    const spellings = new Set(phones.flatMap((phone) => numberToFind(phone).spellings)).size;
    const notes = options.chats * (1 + Math.min(5, options.dealsPerContact));
    const firstSyncMinimum =
      1 +
      2 * Math.ceil(spellings / COQL_SPELLINGS_PER_QUERY) +
      options.chats +
      Math.ceil(notes / NOTES_PER_CALL);

    await day.oneMoreEach();
    const update = await services.sync.runNow(connection.id);
    if (update.state !== 'done') throw new Error(`the update sync stopped: ${JSON.stringify(update)}`);
    const afterUpdate = await counters();

    const total = options.chats * options.messagesPerChat;
    const firstSyncCalls = afterFirst.calls - before.calls;
    const firstSyncCredits = afterFirst.credits - before.credits;
    return {
      chats: options.chats,
      messagesPerChat: options.messagesPerChat,
      dealsPerContact: options.dealsPerContact,
      firstSyncCalls,
      firstSyncCredits,
      firstSyncMinimum,
      firstSyncCallsPer1000: (firstSyncCalls * 1000) / total,
      firstSyncCreditsPer1000: (firstSyncCredits * 1000) / total,
      ratioToMinimum: firstSyncCalls / firstSyncMinimum,
      updateCalls: afterUpdate.calls - afterFirst.calls,
      updateMinimum: Math.ceil(notes / NOTES_PER_CALL),
      tokens: afterUpdate.tokens,
    };
  } finally {
    await services.close();
    await sandbox.close();
  }
}
