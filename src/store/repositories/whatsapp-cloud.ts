import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import { type Database, readJson, type WhatsAppCloudAccountTable } from '../schema.js';

/** A Cloud API account's settings as stored; `sealedCredentials` opens only with the secret key. */
export interface StoredCloudAccount {
  accountId: string;
  phoneNumberId: string;
  wabaId: string | undefined;
  graphBaseUrl: string;
  apiVersion: string;
  verifyToken: string;
  sealedCredentials: string;
  historyProgress: HistoryProgress;
  /** When the number, shared with the WhatsApp Business app, was onboarded; undefined: Cloud API alone. */
  coexistenceOnboardedAt: Date | undefined;
  lastDeliveryAt: Date | undefined;
  signatureFailures: number;
  lastSignatureFailureAt: Date | undefined;
}

/** Coexistence history sync, per phase (0, 1, 2): chunk numbers seen and the highest progress. */
export type HistoryProgress = Record<string, { chunks: number[]; progress: number }>;

/** The sync types of Meta's coexistence `smb_app_data` request: contacts, and chat history. */
export const SYNC_TYPES = ['smb_app_state_sync', 'history'] as const;
export type SyncType = (typeof SYNC_TYPES)[number];

/** A coexistence sync request of one sync type: the accepted request, and the last attempt's error. */
export interface SyncRequest {
  syncType: SyncType;
  requestId: string | undefined;
  requestedAt: Date | undefined;
  lastAttemptAt: Date;
  error: string | undefined;
  errorCode: string | undefined;
}

export interface PendingDelivery {
  id: string;
  accountId: string;
  body: string;
  attempts: number;
}

export interface DeliveryCounts {
  pending: number;
  processed: number;
  lastError: string | undefined;
  /** Deliveries set aside for good: content no retry can store (see markParked). */
  parked: number;
  lastParkedReason: string | undefined;
}

/** Cloud API account settings, webhook health, and the queue of received webhook bodies. */
export class WhatsAppCloudRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    input: Omit<
      StoredCloudAccount,
      'historyProgress' | 'lastDeliveryAt' | 'signatureFailures' | 'lastSignatureFailureAt'
    >,
  ): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('whatsapp_cloud_accounts')
      .values({
        account_id: input.accountId,
        phone_number_id: input.phoneNumberId,
        waba_id: input.wabaId ?? null,
        graph_base_url: input.graphBaseUrl,
        api_version: input.apiVersion,
        verify_token: input.verifyToken,
        credentials: input.sealedCredentials,
        history_progress: null,
        coexistence_onboarded_at: input.coexistenceOnboardedAt?.getTime() ?? null,
        last_delivery_at: null,
        signature_failures: 0,
        last_signature_failure_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  /** Changes settings of an account; fields left undefined keep their value. */
  async update(
    accountId: string,
    changes: {
      [K in
        | 'phoneNumberId'
        | 'wabaId'
        | 'graphBaseUrl'
        | 'apiVersion'
        | 'verifyToken'
        | 'coexistenceOnboardedAt'
        | 'sealedCredentials']?: StoredCloudAccount[K] | undefined;
    },
  ): Promise<void> {
    await this.db
      .updateTable('whatsapp_cloud_accounts')
      .set({
        ...(changes.phoneNumberId === undefined ? {} : { phone_number_id: changes.phoneNumberId }),
        ...(changes.wabaId === undefined ? {} : { waba_id: changes.wabaId }),
        ...(changes.graphBaseUrl === undefined ? {} : { graph_base_url: changes.graphBaseUrl }),
        ...(changes.apiVersion === undefined ? {} : { api_version: changes.apiVersion }),
        ...(changes.verifyToken === undefined ? {} : { verify_token: changes.verifyToken }),
        ...(changes.sealedCredentials === undefined ? {} : { credentials: changes.sealedCredentials }),
        ...(changes.coexistenceOnboardedAt === undefined
          ? {}
          : { coexistence_onboarded_at: changes.coexistenceOnboardedAt.getTime() }),
        updated_at: Date.now(),
      })
      .where('account_id', '=', accountId)
      .execute();
  }

  async get(accountId: string): Promise<StoredCloudAccount | undefined> {
    const row = await this.db
      .selectFrom('whatsapp_cloud_accounts')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row && toStored(row);
  }

  /** The Cloud API accounts of these numbers (several, when accounts share a number id). */
  async byPhoneNumberIds(phoneNumberIds: readonly string[]): Promise<StoredCloudAccount[]> {
    if (phoneNumberIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('whatsapp_cloud_accounts')
      .selectAll()
      .where('phone_number_id', 'in', [...phoneNumberIds])
      .orderBy('account_id')
      .execute();
    return rows.map(toStored);
  }

  /** Every Cloud API account, of every workspace: the app-level webhook URL serves them all. */
  async all(): Promise<StoredCloudAccount[]> {
    const rows = await this.db
      .selectFrom('whatsapp_cloud_accounts')
      .selectAll()
      .orderBy('account_id')
      .execute();
    return rows.map(toStored);
  }

  async recordSignatureFailure(accountId: string, at: number): Promise<void> {
    await this.db
      .updateTable('whatsapp_cloud_accounts')
      .set((eb) => ({ signature_failures: eb('signature_failures', '+', 1), last_signature_failure_at: at }))
      .where('account_id', '=', accountId)
      .execute();
  }

  /**
   * Stores a verified body and stamps the account's last delivery, in one transaction. With
   * `parkedReason` the body is stored parked at once: it can never be processed.
   */
  async enqueue(accountId: string, body: string, at: number, parkedReason?: string): Promise<string> {
    const id = newId('whd');
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_deliveries')
        .values({
          id,
          account_id: accountId,
          received_at: at,
          body,
          state: parkedReason === undefined ? 'pending' : 'parked',
          attempts: 0,
          error: parkedReason ?? null,
          next_attempt_at: parkedReason === undefined ? at : null,
          processed_at: null,
        })
        .execute();
      await trx
        .updateTable('whatsapp_cloud_accounts')
        .set({ last_delivery_at: at })
        .where('account_id', '=', accountId)
        .execute();
    });
    return id;
  }

  /**
   * Stores the parts of one verified body, each for its account, all or none, and stamps each account's
   * last delivery: every account's queue then holds only its own number's changes.
   */
  async enqueueParts(parts: readonly { accountId: string; body: string }[], at: number): Promise<string[]> {
    const ids = parts.map(() => newId('whd'));
    await this.db.transaction().execute(async (trx) => {
      for (const [i, part] of parts.entries()) {
        await trx
          .insertInto('webhook_deliveries')
          .values({
            id: ids[i] as string,
            account_id: part.accountId,
            received_at: at,
            body: part.body,
            state: 'pending',
            attempts: 0,
            error: null,
            next_attempt_at: at,
            processed_at: null,
          })
          .execute();
        await trx
          .updateTable('whatsapp_cloud_accounts')
          .set({ last_delivery_at: at })
          .where('account_id', '=', part.accountId)
          .execute();
      }
    });
    return ids;
  }

  /** Claims due deliveries, oldest first, by pushing their next attempt `leaseMs` ahead (see MediaRepository). */
  async claimDue(now: number, limit: number, leaseMs: number): Promise<PendingDelivery[]> {
    const due = await this.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'account_id', 'body', 'attempts', 'next_attempt_at'])
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('received_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const claimed: PendingDelivery[] = [];
    for (const row of due) {
      const result = await this.db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: now + leaseMs })
        .where('id', '=', row.id)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1)
        claimed.push({ id: row.id, accountId: row.account_id, body: row.body, attempts: row.attempts });
    }
    return claimed;
  }

  async markProcessed(id: string, at: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        state: 'processed',
        attempts: eb('attempts', '+', 1),
        error: null,
        next_attempt_at: null,
        processed_at: at,
      }))
      .where('id', '=', id)
      .execute();
  }

  /** A failed attempt: the delivery stays pending and is tried again at `retryAt`. */
  async markFailed(id: string, error: string, retryAt: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), error, next_attempt_at: retryAt }))
      .where('id', '=', id)
      .execute();
  }

  /**
   * Sets a delivery aside for good, with the reason: its content cannot be stored (text a database
   * refuses, a number that is not the account's), so retrying would only fail again, forever.
   */
  async markParked(id: string, reason: string, at: number): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        state: 'parked',
        attempts: eb('attempts', '+', 1),
        error: reason,
        next_attempt_at: null,
        processed_at: at,
      }))
      .where('id', '=', id)
      .execute();
  }

  async counts(accountId: string): Promise<DeliveryCounts> {
    const rows = await this.db
      .selectFrom('webhook_deliveries')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('account_id', '=', accountId)
      .groupBy('state')
      .execute();
    const failing = await this.db
      .selectFrom('webhook_deliveries')
      .select('error')
      .where('account_id', '=', accountId)
      .where('state', '=', 'pending')
      .where('error', 'is not', null)
      .orderBy('received_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const parked = await this.db
      .selectFrom('webhook_deliveries')
      .select('error')
      .where('account_id', '=', accountId)
      .where('state', '=', 'parked')
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const count = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    return {
      pending: count('pending'),
      processed: count('processed'),
      lastError: failing?.error ?? undefined,
      parked: count('parked'),
      lastParkedReason: parked?.error ?? undefined,
    };
  }

  /** The account's coexistence sync requests, one per sync type asked. */
  async syncRequests(accountId: string): Promise<SyncRequest[]> {
    const rows = await this.db
      .selectFrom('cloud_sync_requests')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('sync_type')
      .execute();
    return rows.map((row) => ({
      syncType: row.sync_type as SyncType,
      requestId: row.request_id ?? undefined,
      requestedAt: row.requested_at === null ? undefined : new Date(Number(row.requested_at)),
      lastAttemptAt: new Date(Number(row.last_attempt_at)),
      error: row.error ?? undefined,
      errorCode: row.error_code ?? undefined,
    }));
  }

  /**
   * Records an attempt of a sync request: accepted with Meta's request id, or failed with its error. A
   * failure keeps the request id of an earlier accepted attempt (Meta refuses asking twice).
   */
  async recordSyncAttempt(
    accountId: string,
    syncType: SyncType,
    outcome: { requestId: string } | { error: string; errorCode: string | undefined },
    at: number,
  ): Promise<void> {
    const accepted = 'requestId' in outcome;
    const values = accepted
      ? { request_id: outcome.requestId, requested_at: at, error: null, error_code: null }
      : { error: outcome.error, error_code: outcome.errorCode ?? null };
    await this.db
      .insertInto('cloud_sync_requests')
      .values({
        account_id: accountId,
        sync_type: syncType,
        request_id: accepted ? outcome.requestId : null,
        requested_at: accepted ? at : null,
        error: accepted ? null : outcome.error,
        error_code: accepted ? null : (outcome.errorCode ?? null),
        last_attempt_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['account_id', 'sync_type']).doUpdateSet({ ...values, last_attempt_at: at }),
      )
      .execute();
  }

  async updateHistoryProgress(accountId: string, progress: HistoryProgress): Promise<void> {
    await this.db
      .updateTable('whatsapp_cloud_accounts')
      .set({ history_progress: JSON.stringify(progress), updated_at: Date.now() })
      .where('account_id', '=', accountId)
      .execute();
  }
}

function toStored(row: Selectable<WhatsAppCloudAccountTable>): StoredCloudAccount {
  return {
    accountId: row.account_id,
    phoneNumberId: row.phone_number_id,
    wabaId: row.waba_id ?? undefined,
    graphBaseUrl: row.graph_base_url,
    apiVersion: row.api_version,
    verifyToken: row.verify_token,
    sealedCredentials: row.credentials,
    historyProgress: row.history_progress === null ? {} : readJson<HistoryProgress>(row.history_progress),
    coexistenceOnboardedAt:
      row.coexistence_onboarded_at === null ? undefined : new Date(Number(row.coexistence_onboarded_at)),
    lastDeliveryAt: row.last_delivery_at === null ? undefined : new Date(Number(row.last_delivery_at)),
    signatureFailures: Number(row.signature_failures),
    lastSignatureFailureAt:
      row.last_signature_failure_at === null ? undefined : new Date(Number(row.last_signature_failure_at)),
  };
}
