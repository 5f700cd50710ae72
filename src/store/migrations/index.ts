import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from 'kysely';
import { foundation } from './001-foundation.js';
import { crmConnections } from './002-crm-connections.js';
import { recordLinks } from './003-record-links.js';
import { syncState } from './004-sync.js';
import { whatsappCloud } from './005-whatsapp-cloud.js';
import { deliveryStatus } from './006-delivery-status.js';
import { people } from './007-people.js';
import { settings } from './008-settings.js';
import { linkedDevice } from './009-linked-device.js';
import { linkedDeviceSessions } from './010-linked-device-sessions.js';
import { tokenOwners } from './011-token-owners.js';
import { signInThrottle } from './012-sign-in-throttle.js';
import { accountAccess } from './013-account-access.js';
import { auditLog } from './014-audit-log.js';
import { erasure } from './015-erasure.js';
import { crmKit } from './016-crm-kit.js';
import { oauth } from './017-oauth.js';
import { crmRateBuckets } from './018-crm-rate-buckets.js';
import { chatHistory } from './019-chat-history.js';
import { cloudCoexistence } from './020-cloud-coexistence.js';
import { linkedDevicePause } from './021-linked-device-pause.js';
import { ownLids } from './022-own-lids.js';
import { alerts } from './023-alerts.js';
import { linkedDeviceTraffic } from './024-linked-device-traffic.js';
import { mediaBlobs } from './025-media-blobs.js';
import { linkedDeviceRequests } from './026-linked-device-requests.js';
import { realTime } from './027-real-time.js';
import { imports } from './028-imports.js';
import { extensionCapture } from './029-extension-capture.js';

export type DialectName = 'sqlite' | 'postgres';
export type MigrationSet = Record<string, Migration>;

/**
 * Migrations are code, not files read at run time, so they ship inside the compiled package. Each
 * takes the dialect because a few column types differ; names sort in the order they apply.
 */
export function migrationsFor(dialect: DialectName): MigrationSet {
  return {
    '001-foundation': foundation(dialect),
    '002-crm-connections': crmConnections(dialect),
    '003-record-links': recordLinks(dialect),
    '004-sync': syncState(dialect),
    '005-whatsapp-cloud': whatsappCloud(dialect),
    '006-delivery-status': deliveryStatus(dialect),
    '007-people': people(dialect),
    '008-settings': settings(dialect),
    '009-linked-device': linkedDevice(dialect),
    '010-linked-device-sessions': linkedDeviceSessions(dialect),
    '011-token-owners': tokenOwners(),
    '012-sign-in-throttle': signInThrottle(dialect),
    '013-account-access': accountAccess(dialect),
    '014-audit-log': auditLog(dialect),
    '015-erasure': erasure(dialect),
    '016-crm-kit': crmKit(dialect),
    '017-oauth': oauth(dialect),
    '018-crm-rate-buckets': crmRateBuckets(dialect),
    '019-chat-history': chatHistory(dialect),
    '020-cloud-coexistence': cloudCoexistence(dialect),
    '021-linked-device-pause': linkedDevicePause(dialect),
    '022-own-lids': ownLids(dialect),
    '023-alerts': alerts(dialect),
    '024-linked-device-traffic': linkedDeviceTraffic(dialect),
    '025-media-blobs': mediaBlobs(dialect),
    '026-linked-device-requests': linkedDeviceRequests(dialect),
    '027-real-time': realTime(),
    '028-imports': imports(dialect),
    '029-extension-capture': extensionCapture(),
  };
}

export interface MigrationReport {
  applied: string[];
}

/** Brings the schema up to date. Safe to run on every start and from several processes at once. */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<MigrationReport> {
  // Kysely looks for its bookkeeping tables by name in every schema unless told which one; name the
  // current schema so that several wasync schemas can share one Postgres database.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrationsFor(dialect) },
    migrationTableName: 'wasync_migrations',
    migrationLockTableName: 'wasync_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
  };
}
