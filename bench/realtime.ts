import path from 'node:path';
import { seededRandom } from '../src/core/seeded-random.js';
import { buildSalesforceSandbox, DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import { benchPhones, message, openBenchServices } from './day-messages.js';

export interface LatencyFigures {
  messages: number;
  spanSeconds: number;
  intervalSeconds: number;
  sandboxLatencyMs: number;
  realTime: ModeFigures;
  interval: ModeFigures;
}

export interface ModeFigures {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Sync runs while the messages arrived and until the last reached the CRM. */
  runs: number;
  /** Data API calls the org counted over the same time. */
  calls: number;
}

/**
 * Message → CRM latency as a person waiting for it sees it: `messages` messages arrive at seeded-random
 * moments over `spanSeconds`, in `chats` chats, through the ingest pipeline of a running wasync (its
 * worker, and the real-time trigger when on); each is timed from stored to its transcript in the
 * Salesforce sandbox, which answers every API call after `latencyMs`. Once with the workspace's
 * realTime setting on, once off (the interval alone), the interval the same both times.
 */
export async function benchRealtimeLatency(options: {
  workDir: string;
  messages: number;
  chats: number;
  spanSeconds: number;
  intervalSeconds: number;
  latencyMs: number;
  seed: number;
}): Promise<LatencyFigures> {
  return {
    messages: options.messages,
    spanSeconds: options.spanSeconds,
    intervalSeconds: options.intervalSeconds,
    sandboxLatencyMs: options.latencyMs,
    realTime: await measureMode(options, true),
    interval: await measureMode(options, false),
  };
}

async function measureMode(
  options: Parameters<typeof benchRealtimeLatency>[0],
  realTime: boolean,
): Promise<ModeFigures> {
  const sandbox = await buildSalesforceSandbox({ customObjectDeployed: true, latencyMs: options.latencyMs });
  const url = await sandbox.listen(0);
  const services = await openBenchServices(
    path.join(options.workDir, realTime ? 'latency-real-time' : 'latency-interval'),
    url,
  );
  const sandboxGet = async <T>(route: string) => (await (await fetch(`${url}${route}`)).json()) as T;
  const apiCalls = async () =>
    (await sandboxGet<{ apiUsage: { used: number } }>('/__sandbox/counters')).apiUsage.used;
  try {
    const phones = benchPhones(options.chats);
    for (const [n, phone] of phones.entries()) {
      await fetch(`${url}/__sandbox/records/Contact`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ FirstName: `Latency${n}`, LastName: 'Contact', MobilePhone: phone }),
      });
    }
    const { workspace, store } = services;
    await store.workspaces.updateSettings(workspace.id, {
      syncIntervalMs: options.intervalSeconds * 1_000,
      realTime,
    });
    const account = await store.accounts.create({
      workspaceId: workspace.id,
      phone: '+14155550000',
      sourceKind: 'rest',
      displayName: 'Bench rep',
    });
    if (!account) throw new Error('bench account exists');
    const connection = await services.connections.create(workspace.id, {
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
    // One message in each chat, synced before the clock starts: links found, day records made.
    const now = Date.now();
    await services.ingest.ingest(
      account,
      phones.map((phone, n) => message(`latency-warm-${n}`, phone, now - 60_000, false)),
    );
    const warm = await services.sync.runNow(connection.id);
    if (warm.state !== 'done') throw new Error(`the first sync stopped: ${JSON.stringify(warm)}`);

    let runs = 0;
    services.sync.onRunFinished = () => {
      runs++;
    };
    services.syncWorker.start();
    services.realtime.start();
    const callsBefore = await apiCalls();

    const random = seededRandom(options.seed);
    const spanMs = options.spanSeconds * 1_000;
    const arrivals = Array.from({ length: options.messages }, (_, i) => ({
      token: `latency-${i}-${options.seed}`,
      phone: phones[Math.floor(random() * phones.length)] ?? '',
      offsetMs: random() * spanMs,
    })).sort((a, b) => a.offsetMs - b.offsetMs);

    const storedAt = new Map<string, number>();
    const latencies: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling || storedAt.size > 0) {
        if (storedAt.size > 0) {
          const body = await sandboxGet<{ records: { Transcript__c: string | null }[] }>(
            '/__sandbox/records/WhatsApp_Chat__c',
          );
          const seenAt = performance.now();
          const text = body.records.map((r) => r.Transcript__c ?? '').join('\n');
          for (const [token, at] of storedAt) {
            if (!text.includes(token)) continue;
            latencies.push(seenAt - at);
            storedAt.delete(token);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const started = performance.now();
    for (const arrival of arrivals) {
      const wait = started + arrival.offsetMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await services.ingest.ingest(account, [
        { ...message(arrival.token, arrival.phone, Date.now(), false), text: arrival.token },
      ]);
      storedAt.set(arrival.token, performance.now());
    }
    polling = false;
    const deadline = Date.now() + (options.intervalSeconds + 60) * 1_000;
    const timeout = setInterval(() => {
      if (Date.now() > deadline) storedAt.clear();
    }, 1_000);
    await poller;
    clearInterval(timeout);
    // The run that wrote the last message records itself after the sandbox shows it.
    await services.syncWorker.stop();
    if (latencies.length !== options.messages) {
      throw new Error(`only ${latencies.length} of ${options.messages} messages reached the CRM in time`);
    }
    const calls = (await apiCalls()) - callsBefore;
    latencies.sort((a, b) => a - b);
    return {
      p50Ms: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
      p95Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))] ?? 0,
      maxMs: latencies[latencies.length - 1] ?? 0,
      runs,
      calls,
    };
  } finally {
    await services.close();
    await sandbox.close();
  }
}
