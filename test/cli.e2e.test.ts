import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import { ensureFirstAdminToken, openServices } from '../src/services.js';
import { startTestOrg } from './support/salesforce-org.js';

/**
 * The real CLI as a user runs it: `node --import tsx src/cli/run.ts …` in a child process, each test
 * on its own data dir (SQLite, the default), talking to `serve` over real HTTP.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = ['--import', 'tsx', 'src/cli/run.ts'];
const TOKEN = /wsk_[A-Za-z0-9_-]+/g;
const SERVE_TIMEOUT = 30_000;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of the test process without any wasync settings, plus the ones a test gives. */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('WASYNC_') && name !== 'DATABASE_URL' && name !== 'REDIS_URL',
    ),
  );
  return { ...base, ...env };
}

/** Every child still running, with the data dir it was given. */
const running = new Map<ChildProcess, string | undefined>();

/** A fresh data dir for one test, removed (after killing whatever the test left running there) when it finishes. */
function newDataDir(onTestFinished: (fn: () => void) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasync-cli-'));
  onTestFinished(() => {
    for (const [child, dataDir] of running) if (dataDir === dir) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return dir;
}

function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.set(child, env.WASYNC_DATA_DIR);
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  const exited = new Promise<Result>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, ...output });
    });
  });
  return { child, output, exited };
}

/** Runs one command to completion; a command that hangs is killed and fails the test. */
async function runCli(args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<Result> {
  const { child, exited } = spawnCli(args, env);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wasync ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

interface Served {
  url: string;
  /** Everything it has written so far. */
  output: { stdout: string; stderr: string };
  /** SIGTERM, then its exit (killed and failed if it does not exit within 10 s). */
  stop(): Promise<Result>;
}

/** `wasync serve` on a free port, once it answers /healthz and has printed its start banner. */
async function startServe(env: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const { child, output, exited } = spawnCli(['serve', '--port', String(port)], env);
  const url = `http://127.0.0.1:${port}`;
  let exit: Result | undefined;
  void exited.then((result) => {
    exit = result;
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exit) {
      throw new Error(`serve exited early (${exit.code ?? exit.signal}):\n${exit.stdout}\n${exit.stderr}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not come up:\n${output.stdout}\n${output.stderr}`);
    }
    // The banner is written after listen(); waiting for it too means the token (if any) is printed.
    if (output.stdout.includes('wasync is serving on')) {
      const healthy = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    output,
    stop: async () => {
      if (exit) return exit;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`serve did not exit within 10 s of SIGTERM:\n${output.stdout}\n${output.stderr}`));
        }, 10_000);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function stopCleanly(served: Served): Promise<Result> {
  const result = await served.stop();
  expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({
    code: 0,
    signal: null,
    stderr: '',
  });
  return result;
}

function tokensIn(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

function call(served: Served, method: string, route: string, token?: string, body?: unknown) {
  return fetch(`${served.url}${route}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('wasync CLI (end to end)', () => {
  describe('--help', () => {
    it.for<[string, string[], string[]]>([
      [
        'the program',
        [],
        ['--version', '--help', 'serve', 'migrate', 'token', 'audit', 'status', 'sync', 'sandbox'],
      ],
      ['serve', ['serve'], ['Usage: wasync serve', '--port <port>', 'WASYNC_PORT', '--role <role>', 'api']],
      ['worker', ['worker'], ['Usage: wasync worker', '--port <port>', '/readyz', 'Scale mode']],
      ['migrate', ['migrate'], ['Usage: wasync migrate', '--help', 'schema']],
      ['token', ['token'], ['Usage: wasync token', 'create']],
      ['token create', ['token', 'create'], ['Usage: wasync token create', '--name', '--role', 'member']],
      ['status', ['status'], ['Usage: wasync status', '--json']],
      ['audit', ['audit'], ['Usage: wasync audit', '--since', '--action', '--json']],
      ['sync', ['sync'], ['Usage: wasync sync', '--once', '--connection', '--json', 'wasync serve']],
      ['setup salesforce', ['setup', 'salesforce'], ['Usage: wasync setup salesforce', '--connection']],
    ])(
      'for %s exits 0, names its options and touches nothing',
      async ([, command, mentions], { onTestFinished }) => {
        const dataDir = newDataDir(onTestFinished);
        const result = await runCli([...command, '--help'], { WASYNC_DATA_DIR: dataDir });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        for (const text of mentions) expect(result.stdout).toContain(text);
        expect(fs.readdirSync(dataDir)).toEqual([]);
      },
    );
  });

  describe('scale mode without its services', () => {
    it.for<[string, Record<string, string>, RegExp]>([
      ['worker', {}, /wasync worker is scale mode: set REDIS_URL/],
      ['serve --role api', {}, /--role api is scale mode: set REDIS_URL/],
      ['worker', { REDIS_URL: 'redis://127.0.0.1:6379' }, /REDIS_URL: scale mode .* Postgres/],
      [
        'worker',
        { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' },
        /WASYNC_SECRET_KEY/,
      ],
    ])(
      '%s refuses to start (exit 2) and says what it needs, before touching the data dir',
      async ([command, env, says], { onTestFinished }) => {
        const dataDir = newDataDir(onTestFinished);
        const result = await runCli(command.split(' '), { ...env, WASYNC_DATA_DIR: dataDir });
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(says);
        expect(fs.readdirSync(dataDir)).toEqual([]);
      },
    );
  });

  describe('with a bad environment', () => {
    const BAD = { WASYNC_PORT: 'eighty', WASYNC_DEFAULT_REGION: 'XX', WASYNC_SYNC_INTERVAL: 'soon' };

    it.for(['serve', 'migrate', 'token create', 'status --json', 'sync --once'])(
      '%s exits 2 listing every problem on stderr, before touching the data dir',
      async (command, { onTestFinished }) => {
        const dataDir = newDataDir(onTestFinished);
        const result = await runCli(command.split(' '), { ...BAD, WASYNC_DATA_DIR: dataDir });
        expect(result.code).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain('Invalid configuration');
        for (const name of Object.keys(BAD)) expect(result.stderr).toContain(`  - ${name}: ${name} must`);
        expect(result.stderr).not.toMatch(/\n\s+at /); // a list of problems, not a stack trace
        expect(fs.readdirSync(dataDir)).toEqual([]);
      },
    );
  });

  it('migrate applies the foundation on a fresh data dir, then finds the schema up to date', async ({
    onTestFinished,
  }) => {
    const dataDir = newDataDir(onTestFinished);
    const first = await runCli(['migrate'], { WASYNC_DATA_DIR: dataDir });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(
      'Applied: 001-foundation, 002-crm-connections, 003-record-links, 004-sync, 005-whatsapp-cloud, 006-delivery-status, 007-people, 008-settings, 009-linked-device, 010-linked-device-sessions, 011-token-owners, 012-sign-in-throttle, 013-account-access, 014-audit-log, 015-erasure, 016-crm-kit, 017-oauth, 018-crm-rate-buckets, 019-chat-history, 020-cloud-coexistence, 021-linked-device-pause, 022-own-lids, 023-alerts, 024-linked-device-traffic, 025-media-blobs, 026-linked-device-requests, 027-real-time, 028-imports, 029-extension-capture\n',
    );
    expect(fs.existsSync(path.join(dataDir, 'wasync.db'))).toBe(true);

    const again = await runCli(['migrate'], { WASYNC_DATA_DIR: dataDir });
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toBe('The schema is up to date.\n');
  });

  it('--data-dir works on that data dir, over WASYNC_DATA_DIR', async ({ onTestFinished }) => {
    const meant = newDataDir(onTestFinished);
    const other = newDataDir(onTestFinished);
    const env = { WASYNC_DATA_DIR: other };
    const migrated = await runCli(['migrate', '--data-dir', meant], env);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(migrated.stdout).toMatch(/^Applied: 001-foundation/);
    expect(fs.existsSync(path.join(meant, 'wasync.db'))).toBe(true);
    expect(fs.readdirSync(other)).toEqual([]);

    const created = await runCli(['token', 'create', '--data-dir', meant, '--name', 'ops'], env);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const audit = await runCli(['audit', '--json', '--data-dir', meant], env);
    expect(audit.stdout).toContain('"action":"token.created"');
    const status = await runCli(['status', '--json', '--data-dir', meant], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ database: 'sqlite', totals: { accounts: 0 } });
    expect(fs.readdirSync(other)).toEqual([]);
    // Four CLI processes: a loaded machine needs more than the default 20 s.
  }, 60_000);

  it(
    'serve prints an admin token on the first start only; it keeps working after a restart',
    async ({ onTestFinished }) => {
      const dataDir = newDataDir(onTestFinished);
      const first = await startServe({ WASYNC_DATA_DIR: dataDir });
      const printed = tokensIn(first.output.stdout);
      expect(printed).toHaveLength(1);
      const token = printed[0] ?? '';
      expect(first.output.stdout).toContain('First start: an admin API token was created');
      expect(first.output.stdout).toContain(`SQLite at ${path.join(dataDir, 'wasync.db')}`);

      expect((await call(first, 'GET', '/api/v1/accounts')).status).toBe(401);
      expect((await call(first, 'GET', '/api/v1/accounts', 'wsk_forged')).status).toBe(401);
      const listed = await call(first, 'GET', '/api/v1/accounts', token);
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual({ data: [] });
      const firstRun = await stopCleanly(first);
      expect(tokensIn(firstRun.stdout)).toEqual([token]);
      expect(fs.existsSync(path.join(dataDir, 'wasync.db'))).toBe(true);

      const second = await startServe({ WASYNC_DATA_DIR: dataDir });
      expect(second.output.stdout).not.toContain('First start');
      expect((await call(second, 'GET', '/api/v1/accounts', token)).status).toBe(200);
      expect((await call(second, 'GET', '/api/v1/accounts')).status).toBe(401);
      const secondRun = await stopCleanly(second);
      expect(tokensIn(secondRun.stdout)).toEqual([]);
    },
    SERVE_TIMEOUT,
  );

  it('setup salesforce names a connection that does not exist', async ({ onTestFinished }) => {
    const dataDir = newDataDir(onTestFinished);
    const result = await runCli(['setup', 'salesforce', '--connection', 'nope'], {
      WASYNC_DATA_DIR: dataDir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No CRM connection nope');
  });

  it('refuses a port that is not a number before starting anything', async ({ onTestFinished }) => {
    const dataDir = newDataDir(onTestFinished);
    const result = await runCli(['serve', '--port', 'eighty'], { WASYNC_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a port is a number from 0 to 65535');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it(
    'a first serve that cannot listen does not use up the one-time admin token',
    async ({ onTestFinished }) => {
      const dataDir = newDataDir(onTestFinished);
      // Someone else holds the port, so the first start fails at listen().
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const { port } = blocker.address() as net.AddressInfo;
      const failed = await runCli(['serve', '--port', String(port)], { WASYNC_DATA_DIR: dataDir });
      await new Promise((resolve) => blocker.close(resolve));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^wasync: .*EADDRINUSE/);
      expect(tokensIn(failed.stdout + failed.stderr)).toEqual([]);

      const served = await startServe({ WASYNC_DATA_DIR: dataDir });
      const printed = tokensIn(served.output.stdout);
      expect(printed).toHaveLength(1);
      expect((await call(served, 'GET', '/api/v1/accounts', printed[0])).status).toBe(200);
      await stopCleanly(served);
    },
    SERVE_TIMEOUT,
  );

  it(
    'token create makes a member token that reads through a running serve but may not administer',
    async ({ onTestFinished }) => {
      const dataDir = newDataDir(onTestFinished);
      const served = await startServe({ WASYNC_DATA_DIR: dataDir });
      const admin = tokensIn(served.output.stdout)[0] ?? '';

      const created = await runCli(['token', 'create', '--name', 'x', '--role', 'member'], {
        WASYNC_DATA_DIR: dataDir,
      });
      expect(created).toMatchObject({ code: 0, stderr: '' });
      expect(created.stdout).toMatch(/^wsk_[A-Za-z0-9_-]+\n$/);
      const member = created.stdout.trim();
      expect(member).not.toBe(admin);

      expect((await call(served, 'GET', '/api/v1/chats', member)).status).toBe(200);
      const forbidden = await call(served, 'POST', '/api/v1/tokens', member, { name: 'more', role: 'admin' });
      expect(forbidden.status).toBe(403);
      expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('forbidden');

      const tokens = await call(served, 'GET', '/api/v1/tokens', admin);
      expect(tokens.status).toBe(200);
      const { data } = (await tokens.json()) as { data: { name: string; role: string }[] };
      expect(data).toContainEqual(expect.objectContaining({ name: 'x', role: 'member' }));

      // The audit log names the command line as who made it, and counts the member token's use.
      const audit = await call(served, 'GET', '/api/v1/audit?action=token', admin);
      expect(audit.status).toBe(200);
      const text = await audit.text();
      expect(text).not.toContain(member);
      const events = (
        JSON.parse(text) as {
          data: { action: string; actor: { via: string }; target?: { id?: string; label?: string } }[];
        }
      ).data;
      expect(events).toContainEqual(
        expect.objectContaining({
          action: 'token.created',
          actor: expect.objectContaining({ via: 'cli' }),
          target: expect.objectContaining({ label: 'x' }),
        }),
      );
      expect(
        events.filter((e) => e.action === 'token.used' && e.actor.via === 'token').map((e) => e.target?.id),
      ).toEqual(expect.arrayContaining(['chats', 'tokens']));
      // The same log from the command line.
      const printed = await runCli(['audit', '--action', 'token.created', '--since', '1h', '--json'], {
        WASYNC_DATA_DIR: dataDir,
      });
      expect(printed).toMatchObject({ code: 0, stderr: '' });
      const lines = printed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toEqual([
        expect.objectContaining({ action: 'token.created', actor: { via: 'cli', label: 'command line' } }),
      ]);
      expect(printed.stdout).not.toContain(member);
      await stopCleanly(served);
    },
    SERVE_TIMEOUT,
  );

  it(
    'status and status --json report what was posted through the running server',
    async ({ onTestFinished }) => {
      const dataDir = newDataDir(onTestFinished);
      const served = await startServe({ WASYNC_DATA_DIR: dataDir });
      const admin = tokensIn(served.output.stdout)[0] ?? '';

      const account = await call(served, 'POST', '/api/v1/accounts', admin, { phone: '+14155552671' });
      expect(account.status).toBe(201);
      const { id } = (await account.json()) as { id: string };
      const timestamp = Math.floor(Date.now() / 1000) - 3600;
      const lastMessageAt = new Date(timestamp * 1000).toISOString();
      const batch = await call(served, 'POST', `/api/v1/accounts/${id}/messages`, admin, {
        messages: [{ id: 'm1', chat: { type: 'direct', with: '+5511987654321' }, timestamp, text: 'hi' }],
      });
      expect(batch.status).toBe(200);

      const json = await runCli(['status', '--json'], { WASYNC_DATA_DIR: dataDir });
      expect(json).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(json.stdout)).toEqual({
        database: 'sqlite',
        totals: { accounts: 1, chats: 1, messages: 1 },
        accounts: [
          {
            id,
            phone: '+14155552671',
            source: 'rest',
            chats: 1,
            messages: 1,
            lastMessageAt,
            // Made with the operator's token before anyone signed up: the team's, given to no one.
            owner: null,
            visibility: 'team',
            sharedWith: [],
            health: { status: 'ok', connected: null, signs: [] },
            webhook: null,
            coexistence: null,
            linkedDevice: null,
          },
        ],
        connections: [],
      });

      const table = await runCli(['status'], { WASYNC_DATA_DIR: dataDir });
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toContain('1 account, 1 chat, 1 message (sqlite; times in UTC)');
      expect(table.stdout).not.toContain('(index)');
      // The last message an hour ago, in the workspace's zone (UTC), and how long ago.
      expect(table.stdout).toMatch(
        new RegExp(
          `\\+14155552671 .* ${lastMessageAt.slice(0, 10)} ${lastMessageAt.slice(11, 16)} \\(1 h( \\d+ min)? ago\\)`,
        ),
      );
      await stopCleanly(served);
    },
    SERVE_TIMEOUT,
  );

  it('link-device asks the owner to accept the risk, says why pairing failed, and status shows it', async ({
    onTestFinished,
  }) => {
    const dataDir = newDataDir(onTestFinished);
    // Nothing listens there: the library's real socket is made and fails to connect.
    const env = { WASYNC_DATA_DIR: dataDir, WASYNC_WHATSAPP_WEB_URL: 'ws://127.0.0.1:9/ws/chat' };
    const unasked = await runCli(['link-device', '--account', '+5511912340000'], env);
    expect(unasked.code).toBe(2);
    expect(unasked.stdout).toContain('can restrict or ban a number');
    expect(unasked.stderr).toContain('the owner of the account must accept the risk');

    const failed = await runCli(
      ['link-device', '--account', '+55 11 91234-0000', '--accept-risk'],
      env,
      30_000,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^Not linked: Could not reach WhatsApp to pair\./);

    const status = await runCli(['status', '--json'], env);
    const [account] = JSON.parse(status.stdout).accounts;
    expect(account).toMatchObject({
      phone: '+5511912340000',
      source: 'linked_device',
      linkedDevice: { state: 'unpaired', reason: expect.stringMatching(/^Could not reach WhatsApp/) },
    });
    const table = await runCli(['status'], env);
    expect(table.stdout).toContain('linked device +5511912340000: unpaired (Could not reach WhatsApp');
    expect(table.stdout).toContain('pair it: wasync link-device --account +5511912340000');
    // Four CLI processes, one of them waiting out the library's failed connection: a loaded machine
    // needs more than the default 20 s.
  }, 60_000);

  it('sync --once writes chats into a Salesforce sandbox with a summary; status shows the contact and its last sync', async ({
    onTestFinished,
  }) => {
    const dataDir = newDataDir(onTestFinished);
    // The sandbox is on loopback over http: allow-listed, as an operator would for a local one.
    const env = { WASYNC_DATA_DIR: dataDir, WASYNC_DEFAULT_REGION: 'BR', WASYNC_OUTBOUND_ALLOW: '127.0.0.1' };
    const org = await startTestOrg();
    onTestFinished(() => org.close());
    const anaId = await org.seed('Contact', {
      FirstName: 'Ana',
      LastName: 'Souza',
      Phone: '(11) 98765-4321',
    });

    // The connection, the account and two chats are made through the API of an app on the same data
    // dir, as `wasync serve` would; the CLI then runs in its own process.
    const services = await openServices(loadConfig(env), pino({ level: 'silent' }));
    let connectionId: string;
    try {
      const token = await ensureFirstAdminToken(services);
      const app = await buildApp(services, { logger: false });
      const auth = { authorization: `Bearer ${token}` };
      const inject = async (url: string, payload: Record<string, unknown>) => {
        const response = await app.inject({ method: 'POST', url: `/api/v1${url}`, headers: auth, payload });
        expect(response.statusCode, response.body).toBeLessThan(300);
        return response.json() as { id: string };
      };
      connectionId = (await inject('/connections', org.connectionInput())).id;
      await inject('/connections', {
        ...org.connectionInput('Broken org'),
        auth: { flow: 'client_credentials', clientId: 'wasync-sandbox', clientSecret: 'wrong' },
      });
      const account = await inject('/accounts', { phone: '+5511900001111' });
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      await inject(`/accounts/${account.id}/messages`, {
        messages: [
          {
            id: 'm1',
            chat: { type: 'direct', with: { phone: '+5511987654321', name: 'Ana Souza' } },
            timestamp: at(10),
            text: 'Is the blue one in stock?',
          },
          {
            id: 'm2',
            chat: { type: 'direct', with: '+14155550199' },
            timestamp: at(5),
            text: 'Who is this?',
          },
        ],
      });
      await app.close();
    } finally {
      await services.close();
    }

    const once = await runCli(['sync', '--once', '--connection', 'Sandbox org'], env);
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(
      /^Sandbox org: 2 chats \(1 matched, 1 unmatched\); 1 linked by phone; transcripts 1 written, 0 unchanged; 0 files; 0 failed, 0 rejected \(\d+\.\d s\)\n$/,
    );
    const rows = await org.records('WhatsApp_Chat__c');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ Contact__c: anaId });
    expect(String(rows[0]?.Transcript__c)).toContain('Is the blue one in stock?');

    // Every connection: the broken one was saved as needing attention (its test on save failed), so it
    // does not run and the exit code says a person must act; stdout stays JSON.
    const all = await runCli(['sync', '--once', '--json'], env);
    expect(all.code).toBe(1);
    const { connections } = JSON.parse(all.stdout) as { connections: Record<string, unknown>[] };
    expect(connections).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'Broken org',
          state: 'parked',
          reason: expect.stringContaining('invalid_client'),
        }),
        {
          id: connectionId,
          name: 'Sandbox org',
          state: 'done',
          summary: expect.objectContaining({ transcriptsWritten: 0, failed: 0 }),
        },
      ]),
    );
    expect(connections).toHaveLength(2);
    const again = await runCli(['sync', '--once', '--connection', 'Broken org'], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^Broken org: parked: .*invalid_client/);

    const json = await runCli(['status', '--json'], env);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const status = JSON.parse(json.stdout) as { connections: Record<string, unknown>[] };
    const sandbox = status.connections.find((c) => c.name === 'Sandbox org');
    expect(sandbox).toMatchObject({
      id: connectionId,
      kind: 'salesforce',
      state: 'active',
      parkedReason: null,
      running: false,
      lastError: null,
      nextRunAt: expect.any(String),
      lastRun: {
        startedAt: expect.any(String),
        finishedAt: expect.any(String),
        summary: expect.objectContaining({ chats: expect.any(Number) }),
      },
      chats: { inCrm: 1, waiting: 0, failed: 0, notInCrm: 1, excluded: 0 },
      links: [
        {
          phone: '+5511987654321',
          name: 'Ana Souza',
          record: { type: 'contact', id: anaId, name: 'Ana Souza' },
          linkedBy: 'lookup',
          linkedAt: expect.any(String),
          lastSyncedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ],
    });
    const broken = status.connections.find((c) => c.name === 'Broken org');
    expect(broken).toMatchObject({
      state: 'parked',
      parkedReason: expect.stringContaining('invalid_client'),
      nextRunAt: null,
      links: [],
    });
    const links = sandbox?.links as { lastSyncedAt: string }[];

    const table = await runCli(['status'], env);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toContain('CRM connection Sandbox org (salesforce): active');
    expect(table.stdout).toMatch(
      /last run: \d{4}-\d\d-\d\d \d\d:\d\d \((just now|\d+ min ago)\): \d+ chats?/,
    );
    expect(table.stdout).toContain('chats: 1 in CRM, 0 waiting, 0 failed, 1 not in CRM, 0 excluded');
    expect(table.stdout).toContain('CRM connection Broken org (salesforce): parked:');
    expect(table.stdout).toContain('Ana Souza');
    expect(table.stdout).toContain(anaId);
    const synced = links[0]?.lastSyncedAt ?? '';
    expect(table.stdout).toContain(`${synced.slice(0, 10)} ${synced.slice(11, 16)} (`);
  }, 90_000);

  it('sync without --once runs the sync worker in the foreground until SIGTERM', async ({
    onTestFinished,
  }) => {
    const dataDir = newDataDir(onTestFinished);
    const { child, output, exited } = spawnCli(['sync'], {
      WASYNC_DATA_DIR: dataDir,
      WASYNC_LOG_LEVEL: 'warn',
    });
    const deadline = Date.now() + 20_000;
    while (!output.stdout.includes('Ctrl-C stops it')) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`the worker did not start:\n${output.stdout}\n${output.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(output.stdout).toContain('0 CRM connections, each synced every 3 min');
    child.kill('SIGTERM');
    const result = await exited;
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(result.stdout).toContain('wasync sync worker stopped.');
  });

  it(
    'no token reaches the log: the admin token appears once (the banner) after authenticated requests',
    async ({ onTestFinished }) => {
      const dataDir = newDataDir(onTestFinished);
      const served = await startServe({ WASYNC_DATA_DIR: dataDir, WASYNC_LOG_LEVEL: 'info' });
      const admin = tokensIn(served.output.stdout)[0] ?? '';
      expect(admin).not.toBe('');

      expect((await call(served, 'GET', '/api/v1/accounts', admin)).status).toBe(200);
      const account = await call(served, 'POST', '/api/v1/accounts', admin, { phone: '+14155552671' });
      expect(account.status).toBe(201);
      expect((await call(served, 'GET', '/api/v1/chats', admin)).status).toBe(200);
      expect((await call(served, 'GET', '/api/v1/tokens', `${admin}x`)).status).toBe(401);
      const made = await call(served, 'POST', '/api/v1/tokens', admin, { name: 'ci', role: 'member' });
      expect(made.status).toBe(201);
      const { token: member } = (await made.json()) as { token: string };
      expect(member).toMatch(TOKEN);
      expect((await call(served, 'GET', '/api/v1/chats', member)).status).toBe(200);

      const result = await stopCleanly(served);
      const everything = result.stdout + result.stderr;
      expect(everything.split(admin)).toHaveLength(2); // exactly one occurrence: the banner
      expect(everything).not.toContain(member);
      // Every log line is JSON and none carries a token or the Authorization header.
      const logLines = everything.split('\n').filter((line) => line.startsWith('{'));
      for (const line of logLines) {
        expect(() => JSON.parse(line)).not.toThrow();
        expect(line).not.toMatch(/wsk_|Bearer|authorization/i);
      }
      // The requests were logged, so the checks above are not vacuous.
      const completed = logLines.filter((line) => line.includes('"msg":"request completed"'));
      expect(completed.length).toBeGreaterThanOrEqual(6);
    },
    SERVE_TIMEOUT,
  );
});
