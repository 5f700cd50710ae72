import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probePostgres, probeRedis } from '../test/support/services-available.js';
import { benchBitrix24Sync } from './bitrix24.js';
import { benchImport } from './import.js';
import { benchIngest } from './ingest.js';
import { benchLookup } from './lookup.js';
import { benchRealtimeLatency } from './realtime.js';
import { benchScale } from './scale.js';
import { benchSync } from './sync.js';
import { benchZohoSync } from './zoho.js';

/**
 * `npm run bench`: prints one table of figures and writes them as JSON to bench/results/latest.json.
 * BENCH_MESSAGES shrinks the run for a quick look (default 100,000, the figure the README quotes).
 */
const messages = Number(process.env.BENCH_MESSAGES ?? 100_000);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-bench-'));

try {
  const ingest = await benchIngest({ messages, batchSize: 500, clients: 4, workDir });
  const rows = [
    {
      figure: 'REST ingest (SQLite, batches of 500, 4 clients)',
      value: ingest.restPerSecond,
      unit: 'messages/s',
      goal: '≥ 20,000',
    },
    {
      figure: 'raw SQLite insert of the same rows',
      value: ingest.rawPerSecond,
      unit: 'messages/s',
      goal: '',
    },
    { figure: 'ratio REST / raw', value: ingest.ratio, unit: '', goal: '≥ 0.25' },
    { figure: 'server peak RSS during ingest', value: ingest.serverPeakRssMb, unit: 'MB', goal: '' },
  ];
  const sync = await benchSync({ workDir, chats: 100, messagesPerChat: 10 });
  rows.push(
    {
      figure: 'CRM calls, first sync of 100 chats × 10 messages (one day)',
      value: sync.firstSyncCalls,
      unit: 'calls',
      goal: '',
    },
    {
      figure: '  fewest the Salesforce batch limits allow',
      value: sync.firstSyncMinimum,
      unit: 'calls',
      goal: '',
    },
    { figure: '  one call per message', value: sync.perMessageBaseline, unit: 'calls', goal: '' },
    { figure: '  ratio to the fewest', value: sync.ratioToMinimum, unit: '', goal: '≤ 1.2' },
    {
      figure: 'CRM calls, next sync after one more message per chat',
      value: sync.updateCalls,
      unit: `calls (fewest ${sync.updateMinimum})`,
      goal: '',
    },
    {
      figure: 'first sync duration (sandbox on loopback)',
      value: sync.firstSyncSeconds,
      unit: 's',
      goal: '',
    },
    { figure: 'message → CRM after "sync now", median', value: sync.latencyP50Ms, unit: 'ms', goal: '' },
    { figure: 'message → CRM after "sync now", p95', value: sync.latencyP95Ms, unit: 'ms', goal: '' },
  );
  // Near-real-time mode beside the interval alone: 200 messages at seeded-random moments over a minute,
  // every Salesforce call answered after 100 ms; the interval is 60 s (not the default 3 minutes) so
  // that the interval mode's figure is had in a minute or two.
  const latency = await benchRealtimeLatency({
    workDir,
    messages: Number(process.env.BENCH_LATENCY_MESSAGES ?? 200),
    chats: 20,
    spanSeconds: 60,
    intervalSeconds: 60,
    latencyMs: 100,
    seed: 19,
  });
  const over = `${latency.messages} messages over ${latency.spanSeconds} s, ${latency.sandboxLatencyMs} ms a call`;
  rows.push(
    {
      figure: `message → CRM, real-time mode, p50 (${over})`,
      value: latency.realTime.p50Ms / 1_000,
      unit: 's',
      goal: '',
    },
    { figure: '  p95', value: latency.realTime.p95Ms / 1_000, unit: 's', goal: '≤ 5' },
    {
      figure: '  sync runs / CRM calls meanwhile',
      value: latency.realTime.runs,
      unit: `runs / ${latency.realTime.calls} calls`,
      goal: '',
    },
    {
      figure: `message → CRM, interval mode (every ${latency.intervalSeconds} s), p50`,
      value: latency.interval.p50Ms / 1_000,
      unit: 's',
      goal: '',
    },
    { figure: '  p95', value: latency.interval.p95Ms / 1_000, unit: 's', goal: '' },
    {
      figure: '  sync runs / CRM calls meanwhile',
      value: latency.interval.runs,
      unit: `runs / ${latency.interval.calls} calls`,
      goal: '',
    },
  );
  // Scale mode: throughput with 1, 2 and 4 worker processes on Postgres and Redis, 8 Salesforce orgs
  // at 100 ms a call; skipped (and said so) where either service cannot be reached.
  const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const unreachable = (await probePostgres(postgresUrl)) ?? (await probeRedis(redisUrl));
  if (unreachable) {
    process.stderr.write(`scale bench skipped: ${unreachable} (set BENCH_POSTGRES_URL, BENCH_REDIS_URL)\n`);
  } else {
    const scale = await benchScale({
      workDir,
      postgresUrl,
      redisUrl,
      chats: Number(process.env.BENCH_SCALE_CHATS ?? 200),
      messagesPerChat: 10,
      workerCounts: [1, 2, 4],
    });
    const base = scale.perWorkers[0]?.messagesPerSecond ?? 1;
    for (const run of scale.perWorkers) {
      rows.push({
        figure:
          run.workers === 1
            ? `scale mode, messages to CRM per second, ${scale.messages.toLocaleString('en')} messages × ${scale.connections} orgs at 100 ms a call: 1 worker`
            : `  ${run.workers} workers`,
        value: run.messagesPerSecond,
        unit:
          run.workers === 1 ? 'messages/s' : `messages/s (× ${(run.messagesPerSecond / base).toFixed(2)})`,
        goal: run.workers === 1 ? '' : 'near-linear until the CRM limit binds',
      });
    }
    rows.push({
      figure:
        "  ceiling: the orgs' daily API allocation (100,000 calls each) at the calls per message measured",
      value: scale.ceilingPerConnection * scale.connections,
      unit: `messages/s (${scale.ceilingPerConnection.toFixed(0)} per org, ${scale.callsPerMessage.toFixed(4)} calls/message)`,
      goal: '',
    });
  }
  const zoho = await benchZohoSync({ workDir, chats: 100, messagesPerChat: 10, dealsPerContact: 2 });
  rows.push(
    {
      figure: 'Zoho calls, first sync of 100 chats × 10 messages, 2 deals a contact',
      value: zoho.firstSyncCalls,
      unit: 'calls',
      goal: '',
    },
    {
      figure: '  Zoho API credits for it, per 1,000 messages',
      value: zoho.firstSyncCreditsPer1000,
      unit: 'credits',
      goal: '',
    },
    { figure: '  fewest the Zoho limits allow', value: zoho.firstSyncMinimum, unit: 'calls', goal: '' },
    { figure: '  ratio to the fewest', value: zoho.ratioToMinimum, unit: '', goal: '≤ 1.2' },
    {
      figure: 'Zoho calls, next sync after one more message per chat',
      value: zoho.updateCalls,
      unit: `calls (fewest ${zoho.updateMinimum})`,
      goal: '',
    },
    { figure: '  access tokens issued for both syncs', value: zoho.tokens, unit: 'tokens', goal: '1' },
  );
  // The backfill: 300 chats, 2,100 messages, within the portal's bucket.
  const bitrix24 = await benchBitrix24Sync({ workDir, chats: 300, messagesPerChat: 7 });
  rows.push(
    {
      figure: `Bitrix24 requests, first sync of 300 chats × 7 messages (${bitrix24.messages.toLocaleString('en')})`,
      value: bitrix24.firstSyncRequests,
      unit: `requests (${bitrix24.firstSyncCommands} commands)`,
      goal: '',
    },
    {
      figure: '  per 1,000 messages',
      value: bitrix24.firstSyncRequestsPer1000,
      unit: 'requests',
      goal: '',
    },
    {
      figure: '  fewest the batch limits allow',
      value: bitrix24.firstSyncMinimum,
      unit: 'requests',
      goal: '',
    },
    { figure: '  ratio to the fewest', value: bitrix24.ratioToMinimum, unit: '', goal: '≤ 1.2' },
    {
      figure: 'Bitrix24 requests, next sync after one more message per chat',
      value: bitrix24.updateRequests,
      unit: `requests (fewest ${bitrix24.updateMinimum})`,
      goal: '',
    },
    {
      figure: "  requests the portal's bucket refused (503) over both",
      value: bitrix24.refusedByBucket,
      unit: 'requests',
      goal: '0',
    },
  );
  const lookup = await benchLookup({ numbers: 100 });
  rows.push({
    figure: 'CRM calls, lookup of 100 numbers (SOSL, and SOQL for the unindexed)',
    value: lookup.calls,
    unit: `calls (fewest ${lookup.minimum})`,
    goal: '',
  });
  const exportLines = Number(process.env.BENCH_EXPORT_LINES ?? 1_000_000);
  const chatExport = await benchImport({ workDir, lines: exportLines });
  rows.push(
    {
      figure: `chat-export parse, ${exportLines.toLocaleString('en')} lines (${Math.round(chatExport.fileMb)} MB), streamed, both passes`,
      value: chatExport.wasyncLinesPerSecond,
      unit: 'lines/s',
      goal: '> whatsapp-chat-parser',
    },
    {
      figure: '  peak RSS of that parse',
      value: chatExport.wasyncPeakRssMb,
      unit: 'MB',
      goal: 'flat in file size',
    },
    {
      figure: '  whatsapp-chat-parser on the same file',
      value: chatExport.packageLinesPerSecond,
      unit: 'lines/s',
      goal: '',
    },
    { figure: '  its peak RSS', value: chatExport.packagePeakRssMb, unit: 'MB', goal: '' },
    { figure: '  ratio wasync / whatsapp-chat-parser', value: chatExport.ratio, unit: '', goal: '> 1' },
    {
      figure: `  wasync on ${chatExport.largerLines.toLocaleString('en')} lines (${Math.round(chatExport.largerFileMb)} MB)`,
      value: chatExport.largerLinesPerSecond,
      unit: 'lines/s',
      goal: '',
    },
    {
      figure: '  its peak RSS',
      value: chatExport.largerPeakRssMb,
      unit: 'MB',
      goal: 'same as for the smaller file',
    },
  );
  console.log(
    `\nwasync bench: ${messages.toLocaleString('en')} messages, ${os.cpus().length} cores, Node ${process.version}\n`,
  );
  console.table(
    rows.map((r) => ({
      figure: r.figure,
      value:
        r.value < 10 && !Number.isInteger(r.value)
          ? r.value.toFixed(2)
          : Math.round(r.value).toLocaleString('en'),
      unit: r.unit,
      goal: r.goal,
    })),
  );
  const results = {
    at: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      memoryGb: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
    },
    ingest,
    sync,
    latency,
    zoho,
    bitrix24,
    lookup,
    chatExport,
  };
  const out = path.join('bench', 'results', 'latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${out}`);
} finally {
  if (process.env.BENCH_KEEP) console.log(`the bench's work folder is kept: ${workDir}`);
  else fs.rmSync(workDir, { recursive: true, force: true });
}
