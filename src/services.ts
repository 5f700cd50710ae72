import pino, { type Logger } from 'pino';
import { AuditLog } from './audit/audit-log.js';
import { PasswordHasher } from './auth/password-hasher.js';
import type { Config } from './config/index.js';
import { type Bus, InProcessBus } from './core/bus.js';
import { LiveEvents } from './core/live.js';
import type { Workspace } from './core/model.js';
import type { CountryCode } from './core/phone.js';
import { SecretBox } from './core/secret-box.js';
import { ConnectionService } from './crms/connections.js';
import { OAuthService } from './crms/oauth/flow.js';
import { crmRegistry } from './crms/registry.js';
import { AlertService } from './health/alerts.js';
import { Metrics } from './health/metrics.js';
import { MediaFetcher } from './ingest/media-fetcher.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { createGuardedFetch, type GuardedFetch } from './net/guarded-fetch.js';
import { ErasureService } from './privacy/erasure.js';
import { QueuedImports } from './sources/chat-export/queued.js';
import {
  CLOUD_MEDIA_LIFETIME,
  WebhookProcessor,
  WhatsAppCloudService,
} from './sources/whatsapp-cloud/service.js';
import { linkedDeviceMediaResolver } from './sources/whatsapp-web/media.js';
import type { SessionTiming } from './sources/whatsapp-web/session.js';
import { LinkedDevices, WORKER_SESSION_CAP } from './sources/whatsapp-web/sessions.js';
import { librarySocketFactory, type SocketFactory } from './sources/whatsapp-web/socket.js';
import { openStore, type Store } from './store/index.js';
import { checkSecretKey } from './store/sealed-secrets.js';
import { ensureDataDir, resolveSecretKey } from './store/secret-key.js';
import type { BackgroundJobKind, WorkQueue } from './sync/queue.js';
import { type RealtimeOptions, RealtimeSync } from './sync/realtime.js';
import { RecordsService } from './sync/records-service.js';
import { describeSummary } from './sync/run-summary-text.js';
import { SyncService } from './sync/service.js';
import { SqlWorkQueue } from './sync/sql-queue.js';
import { SyncWorker } from './sync/worker.js';

/**
 * Everything a wasync process runs on, built once from the config and handed to the server, the CLI
 * and the workers. Nothing below this reads the environment or opens its own database.
 */
export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  workspace: Workspace;
  ingest: IngestPipeline;
  mediaFetcher: MediaFetcher;
  /** Hashes and checks passwords, a few at a time (each scrypt run holds its memory). */
  passwords: PasswordHasher;
  /** The HTTP client for every URL that comes from outside (WASYNC_OUTBOUND_ALLOW applies). */
  outbound: GuardedFetch;
  /** Encrypts CRM credentials at rest (see resolveSecretKey). */
  secretKey: string;
  connections: ConnectionService;
  /** Signing in at a CRM from the workspace (OAuth authorization code with PKCE). */
  oauth: OAuthService;
  /** The run orchestrator: runs, leases, "sync now", retries, status. */
  sync: SyncService;
  /** Links between chats and CRM records, the record card, CRM search, records created from chats. */
  records: RecordsService;
  /** Where work is queued: SQL in embedded mode, BullMQ on Redis in scale mode (REDIS_URL). */
  queue: WorkQueue;
  /** Asks for a background pass (webhook deliveries, media downloads, imports) by whichever process runs them. */
  wake(kind: BackgroundJobKind): void;
  /** Runs queued work in this process: sync runs, and in scale mode the background passes; started by `wasync serve` and `wasync worker`. */
  syncWorker: SyncWorker;
  /**
   * Near-real-time sync: stored messages ask for debounced runs of the connections their chats reach
   * (when the workspace's realTime setting is on); listens once started (`wasync serve`).
   */
  realtime: RealtimeSync;
  /** Messages between this install's processes: Redis pub/sub in scale mode (REDIS_URL), else in-process. */
  bus: Bus;
  /** This process's Prometheus metrics (served at /metrics by the API, or a worker's listener). */
  metrics: Metrics;
  /** Changes as they happen, for the open pages of the workspace (of every process, over the bus). */
  live: LiveEvents;
  /** WhatsApp Cloud API accounts: settings, webhook signature check, delivery queue. */
  cloud: WhatsAppCloudService;
  /** Processes stored Cloud API webhook deliveries; started by `wasync serve`. */
  webhookProcessor: WebhookProcessor;
  /** Runs the chat-export imports queued by API processes (scale mode); started by `wasync serve` and `wasync worker`. */
  imports: QueuedImports;
  /** Linked-device sessions (a rep's own WhatsApp, paired by QR code); started by `wasync serve`. */
  linkedDevices: LinkedDevices;
  /** Who did what; prunes itself past the workspace's retention once started (`wasync serve`). */
  audit: AuditLog;
  /** Erasure on request: erase a person, delete what was written of them in the CRMs. */
  erasures: ErasureService;
  /** Health of numbers and connections, and alerts to admins when one stops; checks once started (`wasync serve`). */
  alerts: AlertService;
  close(): Promise<void>;
}

/** Parts a test swaps for its own: the WhatsApp socket, so no test reaches WhatsApp. */
export interface ServiceOverrides {
  whatsappWebSocket?: SocketFactory;
  linkedDeviceTiming?: Partial<SessionTiming>;
  /** The audit log's clock (token uses are counted per hour, events pruned by age). */
  auditClock?: () => number;
  /** The clock health and alerts read (signs are judged by how long they last). */
  healthClock?: () => number;
  /**
   * The part this process plays: `all` (`wasync serve`, the default), `api` (`serve --role api`: holds
   * no linked-device session) or `worker` (`wasync worker`: holds its share of them).
   */
  role?: 'all' | 'api' | 'worker';
  /** The real-time sync's clock and timings. */
  realtime?: Pick<RealtimeOptions, 'clock' | 'quietMs' | 'maxWaitMs' | 'minGapMs'>;
}

/** Secrets never reach the log, whatever object they travel in. */
export const LOG_REDACTIONS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.secret',
  '*.accessToken',
  '*.appSecret',
  '*.clientSecret',
  '*.refreshToken',
];

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, redact: { paths: LOG_REDACTIONS, censor: '[redacted]' } });
}

export async function openServices(
  config: Config,
  logger: Logger = createLogger(config),
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const secretKey = resolveSecretKey({ ...config, dialect: config.database.dialect });
  ensureDataDir(config.dataDir);
  const store = await openStore(config);
  try {
    await checkSecretKey(store.sql.db, new SecretBox(secretKey));
    store.tombstones.unlock(new SecretBox(secretKey));
  } catch (error) {
    await store.close();
    throw error;
  }
  const workspace = await store.workspaces.ensureDefault({
    name: 'wasync',
    timeZone: config.timeZone,
    defaultRegion: config.defaultRegion,
  });
  // BullMQ and ioredis are loaded in scale mode only: every embedded process (each CLI command
  // among them) starts without them.
  const queue: WorkQueue = config.redisUrl
    ? new (await import('./sync/bullmq-queue.js')).BullWorkQueue({
        url: config.redisUrl,
        logger: logger.child({ component: 'work-queue' }),
        prefix: config.redisPrefix,
      })
    : new SqlWorkQueue(store.sql.db, logger.child({ component: 'work-queue' }));
  /** Asks for a background pass: this process's own in embedded mode, any worker's in scale mode. */
  const addJob = (kind: BackgroundJobKind) =>
    void queue
      .addJob(kind)
      .catch((error: unknown) => logger.error({ err: error, kind }, 'could not queue a job'));
  const ingest = new IngestPipeline(store);
  // Room for the largest media file: the blob store enforces WASYNC_MEDIA_MAX_BYTES itself, with its own error.
  const outbound = createGuardedFetch({
    allow: config.outboundAllow,
    maxResponseBytes: Math.max(256 * 1024 ** 2, config.mediaMaxBytes + 1),
  });
  const mediaFetcher = new MediaFetcher({
    fetch: outbound,
    media: store.media,
    blobs: store.blobs,
    logger: logger.child({ component: 'media-fetcher' }),
    maxBytes: config.mediaMaxBytes,
  });
  ingest.onPendingMedia = () => addJob('media');
  const busLog = logger.child({ component: 'bus' });
  const bus: Bus = config.redisUrl
    ? new (await import('./core/redis-bus.js')).RedisBus({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        log: busLog,
      })
    : new InProcessBus(busLog);
  const live = new LiveEvents(bus, busLog);
  ingest.onChatsChanged((accountId, chatIds) => live.publish({ type: 'messages', accountId, chatIds }));
  const cloud = new WhatsAppCloudService({
    store,
    ingest,
    secretKey,
    fetch: outbound,
    logger: logger.child({ component: 'whatsapp-cloud' }),
  });
  mediaFetcher.registerResolver('whatsapp-cloud:', cloud.mediaResolver(), CLOUD_MEDIA_LIFETIME);
  cloud.onMediaRequeued = () => addJob('media');
  const linkedDevices = new LinkedDevices({
    store,
    ingest,
    box: new SecretBox(secretKey),
    factory: overrides.whatsappWebSocket ?? librarySocketFactory({ url: config.whatsappWebUrl }),
    logger: logger.child({ component: 'linked-devices' }),
    timing: overrides.linkedDeviceTiming,
    // A worker holds its share of the sessions; an API process none (pairing reaches a worker through the store).
    ...(overrides.role === 'worker' ? { maxSessions: WORKER_SESSION_CAP } : {}),
    ...(overrides.role === 'api' ? { holdsSessions: false } : {}),
  });
  mediaFetcher.registerResolver(
    'whatsapp-web:',
    linkedDeviceMediaResolver(store, linkedDevices, logger, overrides.linkedDeviceTiming),
  );
  const webhookProcessor = new WebhookProcessor(cloud, logger.child({ component: 'webhook-processor' }));
  const imports = new QueuedImports({
    store,
    ingest,
    config,
    workspace,
    logger: logger.child({ component: 'imports' }),
  });
  if (queue instanceof SqlWorkQueue) {
    queue.onJob = (kind) =>
      kind === 'media' ? mediaFetcher.wake() : kind === 'import' ? imports.wake() : webhookProcessor.wake();
  }
  const metrics = new Metrics();
  const connections = new ConnectionService(
    store.connections,
    secretKey,
    outbound,
    crmRegistry,
    // The CRMs' request buckets in the store: every process on the database fills the same ones.
    store.rateBuckets,
    metrics.crmObserver,
  );
  const sync = new SyncService({
    store,
    workspace,
    connections,
    logger: logger.child({ component: 'sync' }),
    backfillDays: config.backfillDays,
    intervalMs: config.syncIntervalMs,
    defaultRegion: config.defaultRegion,
    queue,
  });
  const audit = new AuditLog({
    repository: store.audit,
    people: store.people,
    workspaces: store.workspaces,
    workspaceId: workspace.id,
    logger: logger.child({ component: 'audit' }),
    now: overrides.auditClock,
  });
  const alerts = new AlertService({
    store,
    workspace,
    box: new SecretBox(secretKey),
    fetch: outbound,
    logger: logger.child({ component: 'alerts' }),
    now: overrides.healthClock,
  });
  const syncWorker = new SyncWorker(sync, {
    jobs: {
      webhooks: () => webhookProcessor.drain(),
      media: () => mediaFetcher.drain(),
      import: () => imports.drain(),
    },
    observe: metrics.jobObserver,
  });
  metrics.watchQueue(() => queue.counts());
  const realtime = new RealtimeSync({
    store,
    workspaceId: workspace.id,
    target: {
      enqueue: (connectionId, reason) => sync.enqueue(connectionId, reason),
      jobState: (connectionId) => sync.jobState(connectionId),
    },
    logger: logger.child({ component: 'realtime' }),
    listen: (listener) => ingest.onChatsChanged(listener),
    ...overrides.realtime,
  });
  sync.onRunFinished = (connectionId, outcome) =>
    live.publish({
      type: 'sync',
      connectionId,
      state: outcome.state,
      at: new Date().toISOString(),
      ...(outcome.state !== 'busy' && outcome.summary ? { summary: describeSummary(outcome.summary) } : {}),
      by: sync.owner,
    });
  return {
    config,
    logger,
    store,
    workspace,
    ingest,
    mediaFetcher,
    passwords: new PasswordHasher(config.passwordCost),
    outbound,
    secretKey,
    connections,
    oauth: new OAuthService({
      repository: store.oauth,
      connections,
      secretKey,
      guarded: outbound,
      // Every registered kind that can be connected by signing in at the CRM.
      providers: crmRegistry.list().flatMap((kind) => (kind.oauth ? [kind.oauth] : [])),
    }),
    sync,
    records: new RecordsService({ store, workspace, connections, sync }),
    queue,
    wake: addJob,
    syncWorker,
    realtime,
    cloud,
    webhookProcessor,
    imports,
    linkedDevices,
    bus,
    metrics,
    live,
    audit,
    erasures: new ErasureService({ store, connections, logger: logger.child({ component: 'erasure' }) }),
    alerts,
    close: async () => {
      await alerts.stop();
      await audit.stop();
      await linkedDevices.stop();
      await realtime.stop();
      await syncWorker.stop();
      await webhookProcessor.stop();
      await imports.stop();
      await mediaFetcher.stop();
      await queue.close();
      live.stop();
      await bus.close();
      await store.close();
    },
  };
}

/**
 * On the very first start no token exists, so nobody could call the API: create an admin token and
 * return it for the caller to show once. Returns undefined on every later start.
 */
export async function ensureFirstAdminToken(services: Services): Promise<string | undefined> {
  const { store, workspace } = services;
  if ((await store.tokens.count(workspace.id)) > 0) return undefined;
  const { token } = await store.tokens.create({
    workspaceId: workspace.id,
    name: 'first admin token',
    role: 'admin',
  });
  return token;
}

/**
 * The country of numbers written without one: the workspace's setting, else the server's
 * WASYNC_DEFAULT_REGION. The workspace object follows changes made through this process's API, and
 * each sync run reads them again.
 */
export function defaultRegionOf(services: Pick<Services, 'workspace' | 'config'>): CountryCode | undefined {
  return (services.workspace.defaultRegion as CountryCode | undefined) ?? services.config.defaultRegion;
}
