import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/index.js';
import { buildSalesforceSandbox, DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';
import { openServices } from '../src/services.js';
import { dropPrefix } from '../test/support/redis-keys.js';
import { startWasync, type WasyncProcess } from '../test/support/wasync-process.js';
import { benchPhones, ingestBenchDay } from './day-messages.js';

/**
 * Scale mode's throughput: messages written to the CRM per second with 1, 2 and 4 `wasync worker`
 * processes, on Postgres and Redis, against Salesforce sandbox orgs that take 100 ms per call. Each
 * connection has one writer at a time, so the workers share out the connections (a worker runs two at
 * once): the bench gives every worker count the same 8 orgs, each receiving every message.
 */
export interface ScaleBench {
  /** Messages written per second (messages × connections / time), per worker count. */
  perWorkers: { workers: number; messagesPerSecond: number; seconds: number }[];
  /** CRM calls per message in the runs measured. */
  callsPerMessage: number;
  /** What one org's daily API allocation sustains, in messages per second at that call rate. */
  ceilingPerConnection: number;
  connections: number;
  messages: number;
}

const LATENCY_MS = 100;
const CONNECTIONS = 8;
/** The sandbox's (and a Developer/Enterprise org's base) API requests per rolling 24 hours. */
const DAILY_REQUESTS = 100_000;

export async function benchScale(options: {
  workDir: string;
  postgresUrl: string;
  redisUrl: string;
  chats: number;
  messagesPerChat: number;
  workerCounts: readonly number[];
}): Promise<ScaleBench> {
  const perWorkers: ScaleBench['perWorkers'] = [];
  let calls = 0;
  let written = 0;
  for (const workers of options.workerCounts) {
    const run = await runOnce({ ...options, workers });
    perWorkers.push({ workers, messagesPerSecond: run.written / run.seconds, seconds: run.seconds });
    calls += run.calls;
    written += run.written;
  }
  const callsPerMessage = calls / written;
  return {
    perWorkers,
    callsPerMessage,
    ceilingPerConnection: DAILY_REQUESTS / 86_400 / callsPerMessage,
    connections: CONNECTIONS,
    messages: options.chats * options.messagesPerChat,
  };
}

async function runOnce(options: {
  workDir: string;
  postgresUrl: string;
  redisUrl: string;
  chats: number;
  messagesPerChat: number;
  workers: number;
}): Promise<{ seconds: number; written: number; calls: number }> {
  const schema = `wasync_bench_${process.pid}_${options.workers}`;
  const admin = new pg.Client({ connectionString: options.postgresUrl });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(options.postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const prefix = `wasync-bench-${process.pid}-${options.workers}-${Date.now()}`;
  const dataDir = fs.mkdtempSync(path.join(options.workDir, `scale-${options.workers}-`));
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL: options.redisUrl,
    WASYNC_REDIS_PREFIX: prefix,
    WASYNC_SECRET_KEY: 'bench-secret-key-for-the-scale-bench-0123456789',
    WASYNC_OUTBOUND_ALLOW: '127.0.0.1,localhost',
    WASYNC_LOG_LEVEL: process.env.BENCH_LOG ?? 'warn',
    WASYNC_HOST: '127.0.0.1',
    WASYNC_PORT: '0',
    WASYNC_DATA_DIR: dataDir,
    // One run per connection drains it; the interval only sweeps up afterwards.
    WASYNC_SYNC_INTERVAL: '1h',
  };
  const sandboxes = await Promise.all(
    Array.from({ length: CONNECTIONS }, () =>
      buildSalesforceSandbox({ customObjectDeployed: true, latencyMs: LATENCY_MS }),
    ),
  );
  const orgUrls = await Promise.all(sandboxes.map((sandbox) => sandbox.listen(0)));
  const services = await openServices(loadConfig(env), pino({ level: 'silent' }));
  const processes: WasyncProcess[] = [];
  try {
    const phones = benchPhones(options.chats);
    for (const orgUrl of orgUrls) {
      for (const [n, phone] of phones.entries()) {
        await fetch(`${orgUrl}/__sandbox/records/Contact`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ FirstName: `Bench${n}`, LastName: 'Scale', MobilePhone: phone }),
        });
      }
    }
    await ingestBenchDay(services, phones, options.messagesPerChat);
    // The workers start first; the clock starts when the connections' first runs are queued.
    for (let n = 0; n < options.workers; n++) processes.push(startWasync(['worker'], env));
    await Promise.all(processes.map((proc) => proc.url));
    const ids: string[] = [];
    for (const [n, orgUrl] of orgUrls.entries()) {
      const connection = await services.connections.create(services.workspace.id, {
        kind: 'salesforce',
        name: `Org ${n + 1}`,
        loginUrl: orgUrl,
        apiVersion: '62.0',
        auth: {
          flow: 'client_credentials',
          clientId: DEMO_CLIENT.clientId,
          clientSecret: DEMO_CLIENT.clientSecret,
        },
      });
      ids.push(connection.id);
    }
    const started = Date.now();
    await services.queue.reconcile(ids, 3_600_000);
    const expected = options.chats;
    const done = async () => {
      for (const orgUrl of orgUrls) {
        const body = (await (await fetch(`${orgUrl}/__sandbox/records/WhatsApp_Chat__c`)).json()) as {
          records: { Transcript__c?: string }[];
        };
        const full = body.records.filter(
          (row) =>
            (row.Transcript__c?.match(/is the blue one in stock/g)?.length ?? 0) >= options.messagesPerChat,
        );
        if (full.length < expected) return false;
      }
      return true;
    };
    const deadline = Date.now() + 15 * 60_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`scale bench: ${options.workers} workers did not finish`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (Date.now() - started) / 1000;
    let calls = 0;
    for (const orgUrl of orgUrls) {
      const counters = (await (await fetch(`${orgUrl}/__sandbox/counters`)).json()) as { total: number };
      calls += Number(counters.total);
    }
    return { seconds, written: options.chats * options.messagesPerChat * CONNECTIONS, calls };
  } finally {
    if (process.env.BENCH_LOG)
      for (const proc of processes)
        fs.writeFileSync(
          path.join(options.workDir, `worker-${options.workers}-${proc.child.pid}.log`),
          proc.output(),
        );
    for (const proc of processes) proc.child.kill('SIGTERM');
    await Promise.all(
      processes.map(
        (proc) =>
          new Promise((resolve) =>
            proc.child.exitCode === null ? proc.child.once('exit', resolve) : resolve(undefined),
          ),
      ),
    );
    await services.close();
    for (const sandbox of sandboxes) await sandbox.close();
    const cleanup = new pg.Client({ connectionString: options.postgresUrl });
    await cleanup.connect();
    await cleanup.query(`drop schema if exists ${schema} cascade`);
    await cleanup.end();
    await dropPrefix(options.redisUrl, prefix);
  }
}
