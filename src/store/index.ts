import { type Config, ConfigError, type MediaStoreKind, mediaStoreProblem } from '../config/index.js';
import type { BlobStore } from './blobs/blob-store.js';
import { FileBlobStore } from './blobs/file-blob-store.js';
import { PostgresBlobStore } from './blobs/postgres-blob-store.js';
import { openDatabase, type SqlStore } from './database.js';
import { AccountAccessRepository } from './repositories/account-access.js';
import { AccountRepository } from './repositories/accounts.js';
import { AlertRepository } from './repositories/alerts.js';
import { AuditRepository } from './repositories/audit.js';
import { ChatRepository } from './repositories/chats.js';
import { CrmConnectionRepository } from './repositories/crm-connections.js';
import { ErasureRepository } from './repositories/erasures.js';
import { EventRepository } from './repositories/events.js';
import { ExclusionRepository } from './repositories/exclusions.js';
import { HealthRepository } from './repositories/health.js';
import { IdentityRepository } from './repositories/identities.js';
import { ImportRepository } from './repositories/imports.js';
import { MediaRepository } from './repositories/media.js';
import { MessageRepository } from './repositories/messages.js';
import { OAuthRepository } from './repositories/oauth.js';
import { PeopleRepository } from './repositories/people.js';
import { RateBucketRepository } from './repositories/rate-buckets.js';
import { RecordLinkRepository } from './repositories/record-links.js';
import { SessionRepository } from './repositories/sessions.js';
import { SyncLedgerRepository } from './repositories/sync-ledger.js';
import { SyncProgressRepository } from './repositories/sync-progress.js';
import { ThrottleRepository } from './repositories/throttle.js';
import { TokenRepository } from './repositories/tokens.js';
import { TombstoneRepository } from './repositories/tombstones.js';
import { WhatsAppWebAuthRepository } from './repositories/whatsapp-web-auth.js';
import { WhatsAppWebSessionRepository } from './repositories/whatsapp-web-sessions.js';
import { WorkspaceRepository } from './repositories/workspaces.js';

/** The store: one SQL database (SQLite or Postgres, migrated on open) and the media blob store. */
export interface Store {
  sql: SqlStore;
  /** Media bytes: the data dir's folder or the database (WASYNC_MEDIA_STORE). */
  blobs: BlobStore;
  workspaces: WorkspaceRepository;
  tokens: TokenRepository;
  people: PeopleRepository;
  sessions: SessionRepository;
  /** Sign-in attempts per account and address, across processes. */
  throttle: ThrottleRepository;
  /** Who did what: the audit log's events. */
  audit: AuditRepository;
  exclusions: ExclusionRepository;
  whatsappWebAuth: WhatsAppWebAuthRepository;
  whatsappWebSessions: WhatsAppWebSessionRepository;
  accounts: AccountRepository;
  /** Owners, sharers and visibility of accounts: which chats each person reads. */
  access: AccountAccessRepository;
  identities: IdentityRepository;
  chats: ChatRepository;
  messages: MessageRepository;
  events: EventRepository;
  media: MediaRepository;
  connections: CrmConnectionRepository;
  links: RecordLinkRepository;
  ledger: SyncLedgerRepository;
  syncProgress: SyncProgressRepository;
  /** Erased people kept from being captured again (unlocked with the secret key at start). */
  tombstones: TombstoneRepository;
  erasures: ErasureRepository;
  /** OAuth apps of the CRMs and the sign-ins under way. */
  oauth: OAuthRepository;
  /** CRM request buckets (a Bitrix24 portal's), shared by every process on the database. */
  rateBuckets: RateBucketRepository;
  /** What the health of numbers and connections is read from (src/health). */
  health: HealthRepository;
  /** Alert settings, troubles announced, alerts sent. */
  alerts: AlertRepository;
  /** Chat-export uploads imported in the background (scale mode). */
  imports: ImportRepository;
  close(): Promise<void>;
}

export async function openStore(
  config: Pick<Config, 'database' | 'dataDir'> & { mediaStore?: MediaStoreKind },
): Promise<Store> {
  const mediaStore = config.mediaStore ?? 'filesystem';
  const problem = mediaStoreProblem(mediaStore, config.database);
  if (problem) throw new ConfigError([problem]);
  const sql = await openDatabase(config.database);
  const { db } = sql;
  return {
    sql,
    blobs: mediaStore === 'database' ? new PostgresBlobStore(db) : new FileBlobStore(config.dataDir),
    workspaces: new WorkspaceRepository(db),
    tokens: new TokenRepository(db),
    people: new PeopleRepository(db),
    sessions: new SessionRepository(db),
    throttle: new ThrottleRepository(db),
    audit: new AuditRepository(db),
    exclusions: new ExclusionRepository(db),
    whatsappWebAuth: new WhatsAppWebAuthRepository(db),
    whatsappWebSessions: new WhatsAppWebSessionRepository(db),
    accounts: new AccountRepository(db),
    access: new AccountAccessRepository(db),
    identities: new IdentityRepository(db),
    chats: new ChatRepository(db, sql.dialect),
    messages: new MessageRepository(db, sql.dialect),
    events: new EventRepository(),
    media: new MediaRepository(db),
    connections: new CrmConnectionRepository(db),
    links: new RecordLinkRepository(db),
    ledger: new SyncLedgerRepository(db),
    syncProgress: new SyncProgressRepository(db),
    tombstones: new TombstoneRepository(db),
    erasures: new ErasureRepository(db),
    oauth: new OAuthRepository(db),
    rateBuckets: new RateBucketRepository(db),
    health: new HealthRepository(db),
    alerts: new AlertRepository(db),
    imports: new ImportRepository(db),
    close: () => sql.close(),
  };
}
