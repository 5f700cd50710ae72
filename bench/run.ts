import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchIngest } from './ingest.js';

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
  console.log(
    `\nwasync bench: ${messages.toLocaleString('en')} messages, ${os.cpus().length} cores, Node ${process.version}\n`,
  );
  console.table(
    rows.map((r) => ({
      figure: r.figure,
      value: r.value < 10 ? r.value.toFixed(2) : Math.round(r.value).toLocaleString('en'),
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
  };
  const out = path.join('bench', 'results', 'latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${out}`);
} finally {
  if (!process.env.BENCH_KEEP) fs.rmSync(workDir, { recursive: true, force: true });
}
