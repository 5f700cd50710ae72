import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { SQLITE_PRAGMAS } from '../src/store/database.js';
import { generateItems } from './workload.js';

export interface IngestFigures {
  messages: number;
  batchSize: number;
  clients: number;
  restSeconds: number;
  restPerSecond: number;
  rawSeconds: number;
  rawPerSecond: number;
  ratio: number;
  serverPeakRssMb: number;
}

/**
 * REST ingest through a real `wasync serve` (its own process, SQLite, HTTP on loopback), then the
 * same message rows inserted straight into an empty copy of the schema with one prepared statement:
 * the ratio says what the whole stack costs over the database alone.
 */
export async function benchIngest(options: {
  messages: number;
  batchSize: number;
  /** Requests in flight at once. */
  clients: number;
  workDir: string;
}): Promise<IngestFigures> {
  const dataDir = path.join(options.workDir, 'serve');
  const port = await freePort();
  const server = await startServer(dataDir, port);
  try {
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/api/v1/accounts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ phone: '+14155552671' }),
    });
    const account = (await created.json()) as { id: string };
    const bodies = batches(options.messages, options.batchSize).map((items) =>
      JSON.stringify({ messages: items }),
    );

    const url = `${base}/api/v1/accounts/${account.id}/messages`;
    const started = process.hrtime.bigint();
    // A few clients post at once, as several reps' extensions or gateways would; with one client the
    // server idles while each request and answer crosses the socket.
    let next = 0;
    const client = async () => {
      for (let body = bodies[next++]; body !== undefined; body = bodies[next++]) {
        const response = await fetch(url, { method: 'POST', headers, body });
        if (response.status !== 200)
          throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: options.clients }, client));
    const restSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const serverPeakRssMb = peakRssMb(server.process.pid);

    const raw = rawInsert(
      path.join(dataDir, 'wasync.db'),
      path.join(options.workDir, 'raw.db'),
      options.batchSize,
    );
    if (raw.rows !== options.messages)
      throw new Error(`expected ${options.messages} stored rows, found ${raw.rows}`);
    const restPerSecond = options.messages / restSeconds;
    const rawPerSecond = raw.rows / raw.seconds;
    return {
      messages: options.messages,
      batchSize: options.batchSize,
      clients: options.clients,
      restSeconds,
      restPerSecond,
      rawSeconds: raw.seconds,
      rawPerSecond,
      ratio: restPerSecond / rawPerSecond,
      serverPeakRssMb,
    };
  } finally {
    await stopServer(server.process);
  }
}

function batches(total: number, size: number): Record<string, unknown>[][] {
  const all = [...generateItems({ messages: total, directChats: 2_000, groups: 40, seed: 42 })];
  const result: Record<string, unknown>[][] = [];
  for (let i = 0; i < all.length; i += size) result.push(all.slice(i, i + size));
  return result;
}

/** Copies the schema and the rows messages point at, then times inserting the message rows alone. */
function rawInsert(
  sourceFile: string,
  targetFile: string,
  batchSize: number,
): { rows: number; seconds: number } {
  const source = new SqliteDatabase(sourceFile, { readonly: true });
  fs.rmSync(targetFile, { force: true });
  const target = new SqliteDatabase(targetFile);
  for (const pragma of SQLITE_PRAGMAS) target.pragma(pragma);
  const ddl = source
    .prepare(
      "select sql from sqlite_master where sql is not null and name not like 'sqlite_%' order by rowid",
    )
    .pluck()
    .all() as string[];
  for (const statement of ddl) target.exec(statement);
  for (const table of ['workspaces', 'accounts', 'identities', 'chats']) copyTable(source, target, table);

  const rows = source.prepare('select * from messages order by received_at, rowid').all() as Record<
    string,
    unknown
  >[];
  source.close();
  const columns = Object.keys(rows[0] ?? {});
  const insert = target.prepare(
    `insert into messages (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const insertBatch = target.transaction((batch: Record<string, unknown>[]) => {
    for (const row of batch) insert.run(row);
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += batchSize) insertBatch(rows.slice(i, i + batchSize));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  target.close();
  return { rows: rows.length, seconds };
}

function copyTable(source: SqliteDatabase.Database, target: SqliteDatabase.Database, table: string): void {
  const rows = source.prepare(`select * from ${table}`).all() as Record<string, unknown>[];
  const columns = Object.keys(rows[0] ?? {});
  if (columns.length === 0) return;
  const insert = target.prepare(
    `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  target.transaction(() => {
    for (const row of rows) insert.run(row);
  })();
}

async function startServer(dataDir: string, port: number): Promise<{ process: ChildProcess; token: string }> {
  // BENCH_SERVER_NODE_ARGS passes flags to the server's node, e.g. --cpu-prof to profile it.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', 'src/cli/run.ts', 'serve', '--port', String(port)],
    {
      env: { ...process.env, WASYNC_DATA_DIR: dataDir, WASYNC_LOG_LEVEL: 'warn', WASYNC_BODY_LIMIT: '64mb' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const token = /wsk_[A-Za-z0-9_-]+/.exec(output)?.[0];
    if (token && output.includes('is serving')) return { process: child, token };
    if (child.exitCode !== null) throw new Error(`wasync serve exited early:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`wasync serve did not start in 30 s:\n${output}`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Peak resident set (VmHWM) of a process, from /proc; 0 where /proc is not there. */
export function peakRssMb(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
