import path from 'node:path';
import { numberToFind } from '../src/core/phone-lookup.js';
import { buildSalesforceSandbox, DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import type { Services } from '../src/services.js';
import { benchPhones, ingestBenchDay, message, openBenchServices } from './day-messages.js';

export interface SyncFigures {
  chats: number;
  messagesPerChat: number;
  /** Data API calls of the first sync of chats × messagesPerChat messages (lookups and writes). */
  firstSyncCalls: number;
  /** The fewest calls Salesforce's batch limits allow for the same work. */
  firstSyncMinimum: number;
  /** One call per message, as an integration that writes a note or task per message makes. */
  perMessageBaseline: number;
  firstSyncCallsPer1000: number;
  ratioToMinimum: number;
  /** Calls of the next sync after one more message in every chat (updates in place). */
  updateCalls: number;
  updateMinimum: number;
  firstSyncSeconds: number;
  /** From a message stored to its transcript in the CRM, with "sync now" (the worker wakes at once). */
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencySamples: number;
}

const COLLECTION = 200;
/** Characters of a SOSL search query that keeps its OR operators (SOSL reference, FIND). */
const SEARCH_QUERY_MAX = 4000;
const COLLECTIONS_PER_COMPOSITE = 5;

/**
 * The sync against the Salesforce sandbox (in this process, no injected latency): how many HTTP calls
 * a day of conversation costs, beside what the collection limits make the minimum, and how long a
 * message takes to reach the CRM once a sync is asked for.
 */
export async function benchSync(options: {
  workDir: string;
  chats: number;
  messagesPerChat: number;
}): Promise<SyncFigures> {
  const sandbox = await buildSalesforceSandbox({ customObjectDeployed: true });
  const url = await sandbox.listen(0);
  const services = await openBenchServices(path.join(options.workDir, 'sync'), url);
  try {
    // Data API requests as the org counts them against its daily pool (sign-ins are not counted).
    const counters = async () =>
      Number(
        ((await (await fetch(`${url}/__sandbox/counters`)).json()) as { apiUsage: { used: number } }).apiUsage
          .used,
      );
    const phones = benchPhones(options.chats);
    for (const [n, phone] of phones.entries()) {
      await fetch(`${url}/__sandbox/records/Contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ FirstName: `Bench${n}`, LastName: 'Contact', MobilePhone: phone }),
      });
    }
    const connection = await services.connections.create(services.workspace.id, {
      kind: 'salesforce',
      name: 'bench org',
      loginUrl: url,
      apiVersion: '62.0',
      auth: {
        flow: 'client_credentials',
        clientId: DEMO_CLIENT.clientId,
        clientSecret: DEMO_CLIENT.clientSecret,
      },
    });
    const day = await ingestBenchDay(services, phones, options.messagesPerChat);

    const before = await counters();
    const started = process.hrtime.bigint();
    const first = await services.sync.runNow(connection.id);
    const firstSyncSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (first.state !== 'done' || first.summary.transcriptsWritten !== options.chats) {
      throw new Error(`the first sync did not write every chat: ${JSON.stringify(first)}`);
    }
    const firstSyncCalls = (await counters()) - before;

    // Lookups: every number's search terms in searches of 4,000 characters, and one Composite call
    // (contacts and leads, 2 of its 5 queries) for exact spellings the search index has not reached.
    const terms = [...new Set(phones.flatMap((phone) => numberToFind(phone).searchTerms))];
    const lookups = Math.ceil(terms.join(' OR ').length / SEARCH_QUERY_MAX) + 1;
    const records = Math.ceil(options.chats / COLLECTION);
    // Notes and their two links each travel in collections of 200, up to five collections to a
    // Composite call (one call, so a note never lands without its links).
    const noteCollections =
      Math.ceil(options.chats / COLLECTION) + Math.ceil((2 * options.chats) / COLLECTION);
    const noteWrites = Math.ceil(noteCollections / COLLECTIONS_PER_COMPOSITE);
    const firstSyncMinimum = lookups + records + noteWrites;

    await day.oneMoreEach();
    const beforeUpdate = await counters();
    const update = await services.sync.runNow(connection.id);
    if (update.state !== 'done') throw new Error(`the update sync stopped: ${JSON.stringify(update)}`);
    const updateCalls = (await counters()) - beforeUpdate;
    const updateMinimum = Math.ceil(options.chats / COLLECTION) * 2;

    const latencies = await measureLatency(services, day.account, phones[0] ?? '', connection.id, url, 20);
    latencies.sort((a, b) => a - b);
    const total = options.chats * options.messagesPerChat;
    return {
      chats: options.chats,
      messagesPerChat: options.messagesPerChat,
      firstSyncCalls,
      firstSyncMinimum,
      perMessageBaseline: total,
      firstSyncCallsPer1000: (firstSyncCalls * 1000) / total,
      ratioToMinimum: firstSyncCalls / firstSyncMinimum,
      updateCalls,
      updateMinimum,
      firstSyncSeconds,
      latencyP50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
      latencyP95Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))] ?? 0,
      latencySamples: latencies.length,
    };
  } finally {
    await services.close();
    await sandbox.close();
  }
}

/** Stores a message, asks for a sync, and waits until the sandbox's transcript shows it. */
async function measureLatency(
  services: Services,
  account: NonNullable<Awaited<ReturnType<Services['store']['accounts']['get']>>>,
  phone: string,
  connectionId: string,
  url: string,
  samples: number,
): Promise<number[]> {
  services.syncWorker.start();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const token = `latency-probe-${i}-${Date.now()}`;
      const started = process.hrtime.bigint();
      await services.ingest.ingest(account, [{ ...message(token, phone, Date.now(), false), text: token }]);
      await services.sync.syncNow(connectionId);
      for (;;) {
        const body = (await (await fetch(`${url}/__sandbox/records/WhatsApp_Chat__c`)).json()) as {
          records: { Transcript__c: string | null }[];
        };
        if (body.records.some((r) => r.Transcript__c?.includes(token))) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    await services.syncWorker.stop();
  }
  return latencies;
}
