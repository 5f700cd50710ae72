/**
 * `wasync demo`: wasync end to end on one machine, without any account anywhere. A Salesforce sandbox,
 * a Zoho CRM sandbox and a Bitrix24 sandbox seeded with the same few people, a real wasync
 * (`startServer`, the same start-up as `wasync serve`) on a demo data dir, a connection to each
 * (Salesforce's set up through the Metadata API, Zoho's signing in with a Self Client's refresh token,
 * Bitrix24's through an inbound webhook), and a simulated WhatsApp account
 * that posts conversations through the REST ingest over HTTP and then a new message now and then.
 * Nothing is faked on wasync's side: the sync worker moves the chats into the org as it would into
 * a real one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { hashPassword } from '../auth/passwords.js';
import { loadConfig } from '../config/index.js';
import { count } from '../core/words.js';
import type { ConnectionView } from '../crms/connections.js';
import { DEMO_CLIENT, recordPagePath } from '../sandboxes/salesforce/index.js';
import { DEMO_CLIENT as ZOHO_DEMO_CLIENT } from '../sandboxes/zoho/index.js';
import { startServer } from '../server/start.js';
import { openServices, type Services } from '../services.js';
import type { JobState, RunSummary } from '../sync/queue.js';
import {
  attachDemoBitrix24,
  bitrix24Guide,
  type DemoBitrix24,
  demoBitrix24Connection,
  seedBitrix24,
  startDemoBitrix24,
} from './bitrix24.js';
import {
  crmSpelling,
  DEMO_ACCOUNT,
  DEMO_GROUP,
  PEOPLE,
  scriptedConversations,
  seededPeople,
} from './conversations.js';
import { liveMessage } from './live-threads.js';
import { attachDemoOrg, type DemoOrg, freePortOr, seedPeople, startDemoOrg } from './sandbox.js';
import { readDemoState, updateDemoState } from './state.js';
import { attachDemoZoho, type DemoZoho, seedZoho, startDemoZoho } from './zoho.js';

export const DEMO_CONNECTION_NAME = 'Salesforce sandbox';
export const DEMO_ZOHO_CONNECTION_NAME = 'Zoho sandbox';
const DEMO_TOKEN_NAME = 'wasync demo';

export interface DemoOptions {
  /** wasync's data (SQLite database, media, secret key). Default `./demo-data`. */
  dataDir?: string;
  /** wasync's port. Default WASYNC_PORT (3000), or any free port when that one is taken. */
  port?: number;
  /** The sandbox's port. Default 4100, or any free port when that one is taken. */
  sandboxPort?: number;
  /** Use a Salesforce sandbox already running there instead of starting one. */
  sandboxUrl?: string;
  /** The Zoho sandbox's port. Default 4200, or any free port when that one is taken. */
  zohoSandboxPort?: number;
  /** Use a Zoho sandbox already running there instead of starting one. */
  zohoSandboxUrl?: string;
  /** The Bitrix24 sandbox's port. Default 4400, or any free port when that one is taken. */
  bitrix24SandboxPort?: number;
  /** Use a Bitrix24 sandbox already running there instead of starting one. */
  bitrix24SandboxUrl?: string;
  /** How often the simulated account posts a new message, in ms; 0 posts none. Default 30 s. */
  everyMs?: number;
  /**
   * The environment wasync's config is read from (default `process.env`). The demo always uses
   * SQLite in the data dir, syncs every 30 s and logs warnings only, unless WASYNC_SYNC_INTERVAL or
   * WASYNC_LOG_LEVEL say otherwise.
   */
  env?: Record<string, string | undefined>;
  /** Where the demo writes what it does. Default stdout. */
  out?: (text: string) => void;
}

export interface DemoHandle {
  services: Services;
  /** wasync's base URL. */
  url: string;
  org: DemoOrg;
  zoho: DemoZoho;
  bitrix24: DemoBitrix24;
  /** The admin token made for this run (earlier demo tokens are revoked). */
  token: string;
  /** Who signs in to the workspace: the demo admin, with this run's password. */
  signIn: { email: string; password: string };
  connection: ConnectionView;
  zohoConnection: ConnectionView;
  bitrix24Connection: ConnectionView;
  accountId: string;
  /** Stops the simulated account, wasync and the sandbox started here. Safe to call twice. */
  close(): Promise<void>;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoHandle> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const everyMs = options.everyMs ?? 30_000;
  const config = loadConfig({
    ...env,
    WASYNC_DATA_DIR: options.dataDir ?? './demo-data',
    DATABASE_URL: undefined,
    WASYNC_SYNC_INTERVAL: env.WASYNC_SYNC_INTERVAL || '30s',
    WASYNC_LOG_LEVEL: env.WASYNC_LOG_LEVEL || 'warn',
  });
  fs.mkdirSync(config.dataDir, { recursive: true });

  const cleanup: (() => Promise<void>)[] = [];
  // Last started, first stopped; one step failing does not keep the others from running.
  const closeAll = async () => {
    const failures: unknown[] = [];
    for (const step of cleanup.splice(0).reverse())
      await step().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  };
  try {
    const org = options.sandboxUrl
      ? await attachDemoOrg(options.sandboxUrl)
      : await startDemoOrg({ port: options.sandboxPort, host: '127.0.0.1' });
    cleanup.push(() => org.close());
    const seeded = await seedPeople(org);
    const zoho = options.zohoSandboxUrl
      ? await attachDemoZoho(options.zohoSandboxUrl)
      : await startDemoZoho({ port: options.zohoSandboxPort, host: '127.0.0.1' });
    cleanup.push(() => zoho.close());
    const zohoSeeded = await seedZoho(zoho);
    const bitrix24 = options.bitrix24SandboxUrl
      ? await attachDemoBitrix24(options.bitrix24SandboxUrl)
      : await startDemoBitrix24({ port: options.bitrix24SandboxPort, host: '127.0.0.1' });
    cleanup.push(() => bitrix24.close());
    const bitrix24Seeded = await seedBitrix24(bitrix24);

    // The demo's own sandboxes are local and plain http: allow-listed for this process, nothing more.
    const services = await openServices({
      ...config,
      outboundAllow: [
        ...config.outboundAllow,
        new URL(org.url).host,
        new URL(zoho.url).host,
        new URL(bitrix24.url).host,
      ],
    });
    let servicesOpen = true;
    cleanup.push(async () => {
      if (servicesOpen) await services.close();
    });
    const token = await demoToken(services);
    const signIn = await demoAdmin(services);
    const { connection, remade } = await demoConnection(services, org, config.dataDir);
    const setup = await services.connections.setUp(services.workspace.id, connection.id);
    const zohoMade = await demoZohoConnection(services, zoho, config.dataDir);
    const zohoConnection = zohoMade.connection;
    const bitrix24Made = await demoBitrix24Connection(services, bitrix24, config.dataDir);
    const bitrix24Connection = bitrix24Made.connection;
    const before = await services.sync.jobState(connection.id);
    const zohoBefore = await services.sync.jobState(zohoConnection.id);
    const bitrix24Before = await services.sync.jobState(bitrix24Connection.id);

    const port = options.port ?? (await freePortOr(config.port, config.host));
    // The worker starts once the chats are in, so the first run the demo reports is the one that takes them.
    const server = await startServer(services, { port, host: config.host, deferSync: true });
    servicesOpen = false;
    cleanup.push(() => server.close());
    const api = client(server.url, token);

    const accountId = await demoAccount(api);
    const ingested = await api.post<IngestAnswer>(`/api/v1/accounts/${accountId}/messages`, {
      messages: scriptedConversations(Date.now()),
    });
    await services.sync.syncNow(connection.id);
    await services.sync.syncNow(zohoConnection.id);
    await services.sync.syncNow(bitrix24Connection.id);
    server.startSync();

    out(
      guide({
        url: server.url,
        dataDir: config.dataDir,
        token,
        signIn,
        org,
        seeded,
        setupCreated: setup.created.length,
        connection,
        remade,
        zoho,
        zohoSeeded,
        zohoConnection,
        zohoRemade: zohoMade.remade,
        bitrix24Lines: bitrix24Guide({
          b24: bitrix24,
          seeded: bitrix24Seeded,
          connection: bitrix24Connection,
          remade: bitrix24Made.remade,
        }),
        bitrix24Connection,
        accountId,
        ingested,
        everyMs,
        intervalMs: config.syncIntervalMs,
      }),
    );

    const watcher = watchSyncRuns(services, connection, before, out);
    cleanup.push(() => watcher.stop());
    const zohoWatcher = watchSyncRuns(services, zohoConnection, zohoBefore, out);
    cleanup.push(() => zohoWatcher.stop());
    const bitrix24Watcher = watchSyncRuns(services, bitrix24Connection, bitrix24Before, out);
    cleanup.push(() => bitrix24Watcher.stop());
    if (everyMs > 0) {
      const ticker = postLiveMessages(api, accountId, { everyMs, dataDir: config.dataDir }, out);
      cleanup.push(() => ticker.stop());
    }

    let closing: Promise<void> | undefined;
    return {
      services,
      url: server.url,
      org,
      zoho,
      bitrix24,
      token,
      signIn,
      connection,
      zohoConnection,
      bitrix24Connection,
      accountId,
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll().catch(() => {});
    throw error;
  }
}

export const DEMO_ADMIN = { email: 'demo@example.com', name: 'Demo Admin' };

/**
 * The person who signs in to the demo's workspace: created on the first run, given a new password on
 * each (printed with the rest), so the demo opens on the workspace with its data in place.
 */
async function demoAdmin(services: Services): Promise<{ email: string; password: string }> {
  const { store, workspace, config } = services;
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  const passwordHash = await hashPassword(password, config.passwordCost);
  const existing = await store.people.findByEmail(DEMO_ADMIN.email);
  if (existing) await store.people.setPassword(existing.id, passwordHash);
  else {
    const created = await store.people.createFirstAdmin({
      workspaceId: workspace.id,
      ...DEMO_ADMIN,
      passwordHash,
    });
    if (!created) {
      // The workspace has other people already (a data dir used outside the demo): add the demo admin too.
      const { token } = await store.people.invite({
        workspaceId: workspace.id,
        email: DEMO_ADMIN.email,
        role: 'admin',
        invitedBy: undefined,
      });
      await store.people.acceptInvite({ token, name: DEMO_ADMIN.name, passwordHash });
    }
  }
  return { email: DEMO_ADMIN.email, password };
}

/** A fresh admin token for this run; the previous runs' demo tokens are revoked, so one stays valid. */
async function demoToken(services: Services): Promise<string> {
  const { store, workspace } = services;
  for (const info of await store.tokens.list(workspace.id)) {
    if (info.name === DEMO_TOKEN_NAME && info.revokedAt === undefined)
      await store.tokens.revoke(workspace.id, info.id);
  }
  const { token } = await store.tokens.create({
    workspaceId: workspace.id,
    name: DEMO_TOKEN_NAME,
    role: 'admin',
  });
  return token;
}

/**
 * The demo's CRM connection, made once and reused while it points at the same org. A sandbox started
 * by the demo is a new, empty org on every run (its records live in memory): what wasync remembers
 * having written into the old one (links, ledger, cursors) would be wrong there, so the connection is
 * made again, and the stored chats are backed up into the new org from scratch.
 */
async function demoConnection(
  services: Services,
  org: DemoOrg,
  dataDir: string,
): Promise<{ connection: ConnectionView; remade: boolean }> {
  const workspaceId = services.workspace.id;
  const state = readDemoState(dataDir);
  const existing = (await services.connections.list(workspaceId)).find(
    (c) => c.name === DEMO_CONNECTION_NAME,
  );
  if (
    existing &&
    state?.connectionId === existing.id &&
    state.orgId === org.orgId &&
    existing.settings.loginUrl === org.url
  ) {
    return { connection: existing, remade: false };
  }
  if (existing) await services.connections.delete(workspaceId, existing.id);
  const connection = await services.connections.create(workspaceId, {
    kind: 'salesforce',
    name: DEMO_CONNECTION_NAME,
    loginUrl: org.url,
    apiVersion: '62.0',
    auth: {
      flow: 'client_credentials',
      clientId: DEMO_CLIENT.clientId,
      clientSecret: DEMO_CLIENT.clientSecret,
    },
  });
  updateDemoState(dataDir, { connectionId: connection.id, orgId: org.orgId, loginUrl: org.url });
  return { connection, remade: existing !== undefined };
}

/**
 * The demo's Zoho connection, made once and reused while it points at the same org (by its ZGID and
 * URL), as the Salesforce one is: a new org gets a new connection, with a refresh token of its Self
 * Client, and the stored chats are backed up into it from scratch.
 */
async function demoZohoConnection(
  services: Services,
  zoho: DemoZoho,
  dataDir: string,
): Promise<{ connection: ConnectionView; remade: boolean }> {
  const workspaceId = services.workspace.id;
  const state = readDemoState(dataDir);
  const existing = (await services.connections.list(workspaceId)).find(
    (c) => c.name === DEMO_ZOHO_CONNECTION_NAME,
  );
  if (
    existing &&
    state?.zoho?.connectionId === existing.id &&
    state.zoho.zgid === zoho.zgid &&
    existing.settings.accountsUrl === zoho.url
  ) {
    return { connection: existing, remade: false };
  }
  if (existing) await services.connections.delete(workspaceId, existing.id);
  const connection = await services.connections.create(workspaceId, {
    kind: 'zoho',
    name: DEMO_ZOHO_CONNECTION_NAME,
    dataCentre: 'us',
    accountsUrl: zoho.url,
    auth: {
      flow: 'refresh_token',
      clientId: ZOHO_DEMO_CLIENT.clientId,
      clientSecret: ZOHO_DEMO_CLIENT.clientSecret,
      refreshToken: await zoho.mintRefreshToken(),
    },
  });
  updateDemoState(dataDir, {
    zoho: { connectionId: connection.id, zgid: zoho.zgid, accountsUrl: zoho.url },
  });
  return { connection, remade: existing !== undefined };
}

interface IngestAnswer {
  received: number;
  stored: { messages: number; events: number };
  duplicates: { messages: number; events: number };
}

interface ApiClient {
  get<T>(route: string): Promise<T>;
  post<T>(route: string, body: unknown): Promise<T>;
  /** Posts and answers the status with the body, without throwing on 4xx. */
  send(route: string, body: unknown): Promise<{ status: number; body: unknown }>;
}

/** wasync's HTTP API with the demo's bearer token: the simulated account talks to wasync only through it. */
function client(baseUrl: string, token: string): ApiClient {
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const ok = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const answer = await call(method, route, body);
    if (answer.status >= 300)
      throw new Error(`${method} ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  };
  return {
    get: (route) => ok('GET', route),
    post: (route, body) => ok('POST', route, body),
    send: (route, body) => call('POST', route, body),
  };
}

/** The demo rep's REST account, created through the API on the first run and found on later ones. */
async function demoAccount(api: ApiClient): Promise<string> {
  const created = await api.send('/api/v1/accounts', { ...DEMO_ACCOUNT, sourceKind: 'rest' });
  if (created.status === 201) return (created.body as { id: string }).id;
  if (created.status !== 409)
    throw new Error(`POST /api/v1/accounts: ${created.status} ${JSON.stringify(created.body)}`);
  const { data } = await api.get<{ data: { id: string; phone: string }[] }>('/api/v1/accounts');
  const wanted = DEMO_ACCOUNT.phone.replace(/[^\d+]/g, '');
  const account = data.find((a) => a.phone === wanted);
  if (!account) throw new Error(`the demo account ${DEMO_ACCOUNT.phone} exists but was not listed`);
  return account.id;
}

/** Prints a line whenever a sync run of the connection finishes, by polling the job's state. */
function watchSyncRuns(
  services: Services,
  { id: connectionId, name }: ConnectionView,
  before: JobState | undefined,
  out: (text: string) => void,
): { stop(): Promise<void> } {
  let last = before?.lastFinishedAt?.getTime();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();
  const poll = async () => {
    try {
      const state = await services.sync.jobState(connectionId);
      const finished = state?.lastFinishedAt?.getTime();
      if (state && finished !== undefined && finished !== last) {
        last = finished;
        out(`${clock(finished)}  ${name}: ${describeRun(state)}\n`);
      }
    } catch (error) {
      if (!stopped) out(`${clock(Date.now())}  could not read the sync state: ${String(error)}\n`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = poll().finally(schedule);
    }, 500);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await polling;
    },
  };
}

function describeRun(state: JobState): string {
  const next = state.runAt ? `; next at ${clock(state.runAt.getTime())}` : '';
  if (state.lastError) return `sync run stopped: ${state.lastError}${next}`;
  const summary = state.lastSummary;
  if (!summary) return `sync run finished${next}`;
  return `sync run finished: ${describeSummary(summary)}${next}`;
}

function describeSummary(s: RunSummary): string {
  const parts = [
    s.transcriptsWritten > 0
      ? `${count(s.transcriptsWritten, 'day transcript')} written`
      : 'no transcript changed',
  ];
  if (s.filesUploaded > 0) parts.push(`${count(s.filesUploaded, 'file')} uploaded`);
  if (s.linksFound > 0) parts.push(`${count(s.linksFound, 'person', 'people')} found by phone`);
  if (s.chats > 0) parts.push(`${s.matched} of ${count(s.chats, 'chat')} matched`);
  if (s.failed + s.rejected > 0) parts.push(`${s.failed} failed, ${s.rejected} refused`);
  return parts.join(', ');
}

/**
 * Posts the next live message at every `everyMs` boundary. The data dir counts the messages posted
 * (demo.json), so each chat's thread goes on where the last run left it instead of starting over;
 * a message whose answer was lost is posted again with the same id, which wasync stores once.
 */
function postLiveMessages(
  api: ApiClient,
  accountId: string,
  { everyMs, dataDir }: { everyMs: number; dataDir: string },
  out: (text: string) => void,
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let posting: Promise<void> = Promise.resolve();
  let step = readDemoState(dataDir)?.liveStep ?? 0;
  const post = async () => {
    const now = Date.now();
    const { item, chatName } = liveMessage(step, now);
    try {
      const answer = await api.post<IngestAnswer>(`/api/v1/accounts/${accountId}/messages`, {
        messages: [item],
      });
      step++;
      updateDemoState(dataDir, { liveStep: step });
      if (answer.stored.messages > 0)
        out(`${clock(now)}  new WhatsApp message with ${chatName}: "${String(item.text)}"\n`);
    } catch (error) {
      if (!stopped) out(`${clock(now)}  posting a message failed: ${String(error)}\n`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    const wait = everyMs - (Date.now() % everyMs) + 50;
    timer = setTimeout(() => {
      posting = post().finally(schedule);
    }, wait);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await posting;
    },
  };
}

function guide(info: {
  url: string;
  dataDir: string;
  token: string;
  signIn: { email: string; password: string };
  org: DemoOrg;
  seeded: Awaited<ReturnType<typeof seedPeople>>;
  setupCreated: number;
  connection: ConnectionView;
  remade: boolean;
  zoho: DemoZoho;
  zohoSeeded: Awaited<ReturnType<typeof seedZoho>>;
  zohoConnection: ConnectionView;
  zohoRemade: boolean;
  bitrix24Lines: string[];
  bitrix24Connection: ConnectionView;
  accountId: string;
  ingested: IngestAnswer;
  everyMs: number;
  intervalMs: number;
}): string {
  const { url, org, token } = info;
  const records = (type: string) => `${org.url}/__sandbox/records/${type}`;
  const auth = `-H "Authorization: Bearer ${token}"`;
  const people = seededPeople()
    .map((p) => `${p.name} (${p.record.type.toLowerCase()}, ${crmSpelling(p)})`)
    .join(', ');
  const stored = info.ingested.stored.messages + info.ingested.stored.events;
  const { zoho, zohoSeeded } = info;
  const width = Math.max(...zohoSeeded.people.map((p) => p.name.length), 'deal'.length) + 2;
  const zohoPages = [
    ...zohoSeeded.people.map(
      (p) =>
        `    ${p.name.padEnd(width)} ${zoho.recordPage(p.module, p.id)}   (${p.module === 'Leads' ? 'lead' : 'contact'})`,
    ),
    ...zohoSeeded.deals.map(
      (d) => `    ${'deal'.padEnd(width)} ${zoho.recordPage('Deals', d.id)}   (${d.name})`,
    ),
  ];
  const sfWidth = Math.max(...info.seeded.people.map((p) => p.name.length)) + 2;
  const salesforcePages = info.seeded.people.map(
    (p) =>
      `    ${p.name.padEnd(sfWidth)} ${org.url}${recordPagePath(p.type, p.id)}   (${p.type.toLowerCase()})`,
  );
  const lines = [
    '',
    'wasync demo is running. Ctrl-C stops it.',
    '',
    `  workspace          ${url}   sign in as ${info.signIn.email} / ${info.signIn.password}   (SQLite in ${info.dataDir})`,
    `  API docs           ${url}/api/v1/docs`,
    `  admin token        ${token}   (a new one each run; the previous demo token is revoked)`,
    '',
    `  Salesforce sandbox ${org.url}   (${org.inProcess ? 'started here, in memory' : 'already running'}; login with ${DEMO_CLIENT.clientId} / ${DEMO_CLIENT.clientSecret})`,
    `    chat records     ${records('WhatsApp_Chat__c')}`,
    `    contacts         ${records('Contact')}`,
    `    leads            ${records('Lead')}`,
    `    notes            ${records('ContentNote')}`,
    `    files            ${records('ContentVersion')}`,
    `    seeded           ${people}${info.seeded.existing > 0 ? ` (${info.seeded.existing} were there already)` : ''}`,
    '    open in a browser (their WhatsApp Chats, notes and files, as "Open in CRM" shows them):',
    ...salesforcePages,
    `    setup            WhatsApp_Chat__c ${info.setupCreated > 0 ? `deployed by wasync through the Metadata API (${info.setupCreated} components)` : 'already deployed'}`,
    `  CRM connection     "${info.connection.name}" ${info.connection.id}${info.remade ? ' (made again: this sandbox is a new, empty org, so the stored chats are backed up into it from scratch)' : ''}`,
    '',
    `  Zoho CRM sandbox   ${zoho.url}   (${zoho.inProcess ? 'started here, in memory' : 'already running'}; Self Client ${ZOHO_DEMO_CLIENT.clientId} / ${ZOHO_DEMO_CLIENT.clientSecret})`,
    `    seeded           the same people, Ana with ${count(zohoSeeded.deals.length, 'deal')}${zohoSeeded.existing > 0 ? ` (${zohoSeeded.existing} people were there already)` : ''}`,
    '    open in a browser (the day notes and files land on these records):',
    ...zohoPages,
    `    notes            ${zoho.url}/__sandbox/notes`,
    `    files            ${zoho.url}/__sandbox/attachments`,
    `  CRM connection     "${info.zohoConnection.name}" ${info.zohoConnection.id}${info.zohoRemade ? ' (made again: this Zoho sandbox is a new, empty org, so the stored chats are backed up into it from scratch)' : ''}`,
    '',
    ...info.bitrix24Lines,
    '',
    `  Simulated WhatsApp ${DEMO_ACCOUNT.displayName} ${DEMO_ACCOUNT.phone}, account ${info.accountId}, posting to POST ${url}/api/v1/accounts/${info.accountId}/messages`,
    `    chats with       Ana Souza, Mike Chen, Bruno Lima, the group "${DEMO_GROUP.title}" (Ana and Bruno),`,
    `                     and ${PEOPLE.carmen.name} (${PEOPLE.carmen.phone}), who has no CRM record: her chat stays unmatched`,
    `    posted           ${info.ingested.received} items: ${stored} stored, ${info.ingested.received - stored} already there from an earlier run`,
    info.everyMs > 0
      ? `    live             a new message every ${seconds(info.everyMs)}`
      : '    live             off',
    '',
    '  See it from wasync:',
    `    curl -s ${url}/api/v1/connections/${info.connection.id}/sync ${auth}`,
    `    curl -s ${url}/api/v1/connections/${info.zohoConnection.id}/sync ${auth}`,
    `    curl -s ${url}/api/v1/connections/${info.bitrix24Connection.id}/sync ${auth}`,
    `    curl -s ${url}/api/v1/connections/${info.connection.id}/unmatched ${auth}`,
    `    curl -s ${url}/api/v1/chats ${auth}`,
    '',
    "  Or with wasync's CLI on the demo's database (in another terminal, while the demo runs):",
    ...nextCommands(info.dataDir).map((command) => `    ${command}`),
    '',
    `  Each connection syncs every ${seconds(info.intervalMs)} (WASYNC_SYNC_INTERVAL); a first run was asked for now.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * What a person would run next, each on the demo's data dir: the state of accounts and connections, a
 * sync pass now (all connections, or one), the audit log, a person's data, a token of their own.
 */
export function nextCommands(dataDir: string): string[] {
  const dir = `--data-dir ${shellWord(dataDir)}`;
  return [
    `wasync status ${dir}`,
    `wasync sync --once ${dir}`,
    `wasync sync --once --connection ${shellWord(DEMO_CONNECTION_NAME)} ${dir}`,
    `wasync audit --since 1h ${dir}`,
    `wasync export-person ${PEOPLE.ana.phone} --out ana-souza.zip ${dir}`,
    `wasync token create --name my-script ${dir}`,
  ];
}

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}
