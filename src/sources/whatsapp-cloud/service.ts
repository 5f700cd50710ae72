import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { BackgroundPass } from '../../core/background-pass.js';
import { WasyncError } from '../../core/errors.js';
import type { Account } from '../../core/model.js';
import type { PartyRef } from '../../core/party.js';
import { SecretBox } from '../../core/secret-box.js';
import { findUnstorable, MAX_DEPTH } from '../../core/storable-text.js';
import { USER_AGENT } from '../../core/user-agent.js';
import type { MediaResolver, ResolverLifetime } from '../../ingest/media-fetcher.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { IngestItem, IngestMessage } from '../../ingest/types.js';
import type { GuardedFetch } from '../../net/guarded-fetch.js';
import { checkVendorUrl, GRAPH_API } from '../../net/vendor-urls.js';
import { BlobTooLargeError } from '../../store/blobs/blob-store.js';
import type { Store } from '../../store/index.js';
import {
  type DeliveryCounts,
  type HistoryProgress,
  type PendingDelivery,
  type StoredCloudAccount,
  SYNC_TYPES,
  type SyncRequest,
  type SyncType,
  WhatsAppCloudRepository,
} from '../../store/repositories/whatsapp-cloud.js';
import { writeTransaction } from '../../store/write-transaction.js';
import { type MappedDelivery, mapDelivery } from './map.js';
import { isRecord, numbersNamed, partFor } from './route-by-number.js';
import { COEXISTENCE_WINDOW_MS, requestSmbAppData, type SmbAppDataOutcome } from './smb-app-data.js';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_API_VERSION = 'v23.0';

/** The `cloud` object of `POST /api/v1/accounts` for a `whatsapp_cloud` account. */
export const CloudAccountInput = z
  .strictObject({
    phoneNumberId: z
      .string()
      .regex(/^\d{1,32}$/)
      .describe("The number's id in Meta's WhatsApp Manager."),
    wabaId: z
      .string()
      .regex(/^\d{1,32}$/)
      .optional()
      .describe('The WhatsApp Business Account id.'),
    accessToken: z
      .string()
      .min(8)
      .max(4096)
      .describe('System-user access token; stored encrypted, never shown.'),
    appSecret: z
      .string()
      .min(8)
      .max(256)
      .describe("The app's secret, which signs webhooks; stored encrypted."),
    verifyToken: z
      .string()
      .min(8)
      .max(256)
      .optional()
      .describe("Token for Meta's webhook verify handshake; generated when not given."),
    graphBaseUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        `Default ${DEFAULT_GRAPH_BASE_URL}. Admins only; must be that, or a host the server allow-lists (WASYNC_OUTBOUND_ALLOW).`,
      ),
    apiVersion: z
      .string()
      .regex(/^v\d+\.\d+$/)
      .optional()
      .describe(`Default ${DEFAULT_API_VERSION}.`),
    coexistence: z
      .strictObject({
        onboardedAt: z.iso
          .datetime({ offset: true })
          // A clock a little ahead is fine; a time to come would hold Meta's 24-hour window open forever.
          .refine((at) => Date.parse(at) <= Date.now() + 5 * 60_000, 'The onboarding time is in the future.')
          .optional()
          .describe('When the number was onboarded (Embedded Signup finished). Default: now.'),
      })
      .optional()
      .describe(
        'The number is shared with the WhatsApp Business app (coexistence). On creation wasync asks Meta to send its contacts and chat history (smb_app_data), which Meta takes only within 24 hours of onboarding.',
      ),
  })
  .meta({ id: 'CloudAccountInput' });
export type CloudAccountInput = z.infer<typeof CloudAccountInput>;

/** The body of `PATCH /api/v1/accounts/{id}/cloud`: any of the settings, to rotate or correct them. */
export const CloudAccountUpdate = CloudAccountInput.partial()
  .refine((update) => Object.keys(update).length > 0, { message: 'Give at least one setting to change.' })
  .meta({ id: 'CloudAccountUpdate' });
export type CloudAccountUpdate = z.infer<typeof CloudAccountUpdate>;

interface CloudSecrets {
  accessToken: string;
  appSecret: string;
}

/** What the API shows of a Cloud API account: never the access token or the app secret. */
export interface CloudAccountView {
  phoneNumberId: string;
  wabaId: string | undefined;
  graphBaseUrl: string;
  apiVersion: string;
  webhookPath: string;
  verifyToken: string;
  lastDeliveryAt: Date | undefined;
  signatureFailures: number;
  lastSignatureFailureAt: Date | undefined;
  deliveries: DeliveryCounts;
  historyProgress: HistoryProgress;
  /** For a number shared with the WhatsApp Business app: the sync request's window and each attempt. */
  coexistence: CoexistenceView | undefined;
}

export interface CoexistenceView {
  onboardedAt: Date;
  /** 24 hours after onboarding: Meta takes no sync request after it. */
  windowClosesAt: Date;
  requests: SyncRequest[];
}

/**
 * How long a failing Cloud API media download is kept trying. Meta: "Media IDs returned by the API
 * expire after 30 days. Media IDs in webhooks expire after 7 days." (WhatsApp Business Platform,
 * Media, "Get media ID": developers.facebook.com/documentation/business-messaging/whatsapp/
 * business-phone-numbers/media/). Counted from when the media was stored, right after the webhook.
 */
export const CLOUD_MEDIA_LIFETIME: ResolverLifetime = {
  keepTryingForMs: 7 * 24 * 3_600_000,
  retryDelaysMs: [30_000, 120_000, 600_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000],
  expiredReason:
    'The Cloud API media id expired before a download succeeded: Meta keeps received media for 7 days',
};

export type ReceiveOutcome = 'accepted' | 'unknown_account' | 'bad_signature';

/** What became of a body posted to the app-level URL. */
export type AppReceipt =
  | { outcome: 'bad_signature' }
  | { outcome: 'not_json' }
  | {
      outcome: 'accepted';
      /** The accounts a part of the body was stored for, each part holding only its number's changes. */
      accountIds: string[];
      /** Numbers no account (with an app secret that signs this body) has: their changes were not stored. */
      unknownPhoneNumberIds: string[];
    };

/**
 * The WhatsApp Cloud API source: account settings with sealed secrets, the webhook's verify handshake
 * and signature check, the durable delivery queue, and the mapping of each delivery into the store.
 */
export class WhatsAppCloudService {
  readonly repository: WhatsAppCloudRepository;
  /** Called when media downloads were made due at once (after a settings change): wakes the fetcher. */
  onMediaRequeued: (() => void) | undefined;
  private readonly box: SecretBox;

  constructor(
    private readonly options: {
      store: Store;
      ingest: IngestPipeline;
      secretKey: string;
      logger: Logger;
      /** The guarded client: the Graph base URL and the media URLs it answers come from outside. */
      fetch: GuardedFetch;
    },
  ) {
    this.repository = new WhatsAppCloudRepository(options.store.sql.db);
    this.box = new SecretBox(options.secretKey);
  }

  /** Stores the Cloud API settings of a freshly created account (its secrets sealed to its id). */
  async configure(account: Account, input: CloudAccountInput): Promise<CloudAccountView> {
    if (input.graphBaseUrl !== undefined)
      checkVendorUrl(input.graphBaseUrl, GRAPH_API, this.options.fetch.allow, 'cloud.graphBaseUrl');
    const secrets: CloudSecrets = { accessToken: input.accessToken, appSecret: input.appSecret };
    const onboardedAt = input.coexistence && new Date(input.coexistence.onboardedAt ?? Date.now());
    await this.repository.create({
      accountId: account.id,
      phoneNumberId: input.phoneNumberId,
      wabaId: input.wabaId,
      graphBaseUrl: (input.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, ''),
      apiVersion: input.apiVersion ?? DEFAULT_API_VERSION,
      verifyToken: input.verifyToken ?? randomBytes(18).toString('base64url'),
      sealedCredentials: this.box.seal(JSON.stringify(secrets), account.id),
      coexistenceOnboardedAt: onboardedAt,
    });
    // A number shared with the Business app: its history and contacts come only once asked, within
    // 24 hours of onboarding. Each attempt is recorded and shown; a refusal does not undo the account.
    if (onboardedAt && Date.now() < onboardedAt.getTime() + COEXISTENCE_WINDOW_MS)
      await this.askSync(account.id, SYNC_TYPES);
    const view = await this.view(account.id);
    if (!view) throw new Error('the Cloud API settings just stored are gone');
    return view;
  }

  /**
   * Changes the settings of a Cloud API account: a rotated access token or app secret, a new verify
   * token, a corrected number id. Takes effect with the next webhook and the next media download;
   * a new access token or Graph setting also puts the account's pending and failed media downloads
   * back in the queue, due now (all but those whose media id has expired). Undefined when the account
   * has no Cloud API settings.
   */
  async reconfigure(accountId: string, update: CloudAccountUpdate): Promise<CloudAccountView | undefined> {
    if (update.graphBaseUrl !== undefined)
      checkVendorUrl(update.graphBaseUrl, GRAPH_API, this.options.fetch.allow, 'graphBaseUrl');
    const stored = await this.repository.get(accountId);
    if (!stored) return undefined;
    const secrets = this.secrets(stored);
    const rotated: CloudSecrets = {
      accessToken: update.accessToken ?? secrets.accessToken,
      appSecret: update.appSecret ?? secrets.appSecret,
    };
    await this.repository.update(accountId, {
      phoneNumberId: update.phoneNumberId,
      wabaId: update.wabaId,
      graphBaseUrl: update.graphBaseUrl?.replace(/\/+$/, ''),
      apiVersion: update.apiVersion,
      verifyToken: update.verifyToken,
      coexistenceOnboardedAt: update.coexistence
        ? new Date(update.coexistence.onboardedAt ?? stored.coexistenceOnboardedAt ?? Date.now())
        : undefined,
      sealedCredentials:
        update.accessToken === undefined && update.appSecret === undefined
          ? undefined
          : this.box.seal(JSON.stringify(rotated), accountId),
    });
    const graphChanged = [update.accessToken, update.graphBaseUrl, update.apiVersion, update.phoneNumberId];
    if (graphChanged.some((value) => value !== undefined)) {
      const requeued = await this.options.store.media.requeueBySource(
        `whatsapp-cloud://${encodeURIComponent(accountId)}/`,
        Date.now(),
        [CLOUD_MEDIA_LIFETIME.expiredReason],
      );
      if (requeued > 0) {
        this.options.logger.info(
          { accountId, requeued },
          'media downloads re-queued after a settings change',
        );
        this.onMediaRequeued?.();
      }
    }
    return this.view(accountId);
  }

  async view(accountId: string): Promise<CloudAccountView | undefined> {
    const stored = await this.repository.get(accountId);
    if (!stored) return undefined;
    return {
      phoneNumberId: stored.phoneNumberId,
      wabaId: stored.wabaId,
      graphBaseUrl: stored.graphBaseUrl,
      apiVersion: stored.apiVersion,
      webhookPath: webhookPath(accountId),
      verifyToken: stored.verifyToken,
      lastDeliveryAt: stored.lastDeliveryAt,
      signatureFailures: stored.signatureFailures,
      lastSignatureFailureAt: stored.lastSignatureFailureAt,
      deliveries: await this.repository.counts(accountId),
      historyProgress: stored.historyProgress,
      coexistence: stored.coexistenceOnboardedAt && {
        onboardedAt: stored.coexistenceOnboardedAt,
        windowClosesAt: new Date(stored.coexistenceOnboardedAt.getTime() + COEXISTENCE_WINDOW_MS),
        requests: await this.repository.syncRequests(accountId),
      },
    };
  }

  /**
   * Asks Meta again for a coexistence number's history and contacts, while the 24-hour window after
   * onboarding is open: the given sync types, by default those not yet accepted (or both, when both
   * were: Meta then says it was asked already). Each attempt is recorded; returns what Meta answered,
   * undefined when the account has no Cloud API settings.
   */
  async requestHistory(
    accountId: string,
    syncTypes?: readonly SyncType[],
    now = Date.now(),
  ): Promise<{ syncType: SyncType; outcome: SmbAppDataOutcome }[] | undefined> {
    const stored = await this.repository.get(accountId);
    if (!stored) return undefined;
    if (!stored.coexistenceOnboardedAt)
      throw new WasyncError(
        'not_coexistence',
        `Account ${accountId} is not marked as shared with the WhatsApp Business app (cloud.coexistence).`,
      );
    const closesAt = stored.coexistenceOnboardedAt.getTime() + COEXISTENCE_WINDOW_MS;
    if (now >= closesAt)
      throw new WasyncError(
        'coexistence_window_closed',
        'Meta takes the history request only within 24 hours of onboarding, and that time has passed.',
        {
          onboardedAt: stored.coexistenceOnboardedAt.toISOString(),
          windowClosedAt: new Date(closesAt).toISOString(),
        },
      );
    const accepted = new Set(
      (await this.repository.syncRequests(accountId)).filter((r) => r.requestId).map((r) => r.syncType),
    );
    const pending = SYNC_TYPES.filter((type) => !accepted.has(type));
    const asked = syncTypes ?? (pending.length > 0 ? pending : SYNC_TYPES);
    return this.askSync(
      accountId,
      SYNC_TYPES.filter((type) => asked.includes(type)),
    );
  }

  /** Sends the sync requests, contacts first as Meta's steps go, and records each outcome. */
  private async askSync(
    accountId: string,
    syncTypes: readonly SyncType[],
  ): Promise<{ syncType: SyncType; outcome: SmbAppDataOutcome }[]> {
    const stored = await this.repository.get(accountId);
    if (!stored) return [];
    const target = { ...stored, accessToken: this.secrets(stored).accessToken };
    const results: { syncType: SyncType; outcome: SmbAppDataOutcome }[] = [];
    for (const syncType of syncTypes) {
      const outcome = await requestSmbAppData(this.options.fetch, target, syncType);
      await this.repository.recordSyncAttempt(accountId, syncType, outcome, Date.now());
      if ('error' in outcome)
        this.options.logger.warn(
          { accountId, syncType, error: outcome.error, code: outcome.errorCode },
          'coexistence sync request refused',
        );
      results.push({ syncType, outcome });
    }
    return results;
  }

  /** Meta's verify handshake: the challenge to echo, or undefined to refuse. */
  async verifyHandshake(accountId: string, query: Record<string, unknown>): Promise<string | undefined> {
    const stored = await this.repository.get(accountId);
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (
      !stored ||
      query['hub.mode'] !== 'subscribe' ||
      typeof token !== 'string' ||
      typeof challenge !== 'string'
    )
      return undefined;
    return safeEqual(Buffer.from(token), Buffer.from(stored.verifyToken)) ? challenge : undefined;
  }

  /**
   * The handshake of the app-level URL, which serves every number of a Meta app: any Cloud API
   * account's verify token is accepted, since the App Dashboard has one verify token for the app's URL
   * and the accounts of one app may each show their own.
   */
  async verifyAppHandshake(query: Record<string, unknown>): Promise<string | undefined> {
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (query['hub.mode'] !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string')
      return undefined;
    const accounts = await this.repository.all();
    const given = Buffer.from(token);
    return accounts.some((a) => safeEqual(given, Buffer.from(a.verifyToken))) ? challenge : undefined;
  }

  /**
   * A body posted to the app-level URL: each change goes to the account of its
   * `value.metadata.phone_number_id`. The signature is checked with the app secret of the accounts the
   * body names (accounts of one Meta app share it); only accounts whose secret signs the body get a part.
   * A body with one number is stored as received; one with several is cut into one body per account, all
   * stored in one transaction, so each account's queue holds only its own changes. A change for a number
   * no such account has is not stored anywhere; a bad signature stores nothing.
   */
  async receiveForApp(body: Buffer, signature: string | undefined): Promise<AppReceipt> {
    const now = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const named = numbersNamed(parsed);
    const candidates = await this.repository.byPhoneNumberIds(named.phoneNumberIds);
    const signedBy = new Map<string, boolean>();
    const signs = (stored: StoredCloudAccount) => {
      const { appSecret } = this.secrets(stored);
      let ok = signedBy.get(appSecret);
      if (ok === undefined) {
        ok = signatureMatches(body, signature, appSecret);
        signedBy.set(appSecret, ok);
      }
      return ok;
    };
    const accounts = candidates.filter(signs);
    if (accounts.length === 0) {
      // No account of the numbers named signs it: with some, a bad signature counted on each; with none,
      // genuine only if some account's app signs it (then its numbers are unknown here).
      if (candidates.length > 0) {
        for (const a of candidates) await this.repository.recordSignatureFailure(a.accountId, now);
        return { outcome: 'bad_signature' };
      }
      if (!(await this.repository.all()).some(signs)) return { outcome: 'bad_signature' };
      if (!isRecord(parsed)) return { outcome: 'not_json' };
      return { outcome: 'accepted', accountIds: [], unknownPhoneNumberIds: named.phoneNumberIds };
    }
    if (!isRecord(parsed)) return { outcome: 'not_json' };
    const known = new Set(accounts.map((a) => a.phoneNumberId));
    const whole = named.phoneNumberIds.length === 1 && named.unaddressed === 0;
    await this.repository.enqueueParts(
      accounts.map((a) => ({
        accountId: a.accountId,
        body: whole ? body.toString('utf8') : partFor(parsed, a.phoneNumberId),
      })),
      now,
    );
    return {
      outcome: 'accepted',
      accountIds: accounts.map((a) => a.accountId),
      unknownPhoneNumberIds: named.phoneNumberIds.filter((id) => !known.has(id)),
    };
  }

  /**
   * Checks `X-Hub-Signature-256` over the exact bytes received and stores the body for processing.
   * A mismatch stores nothing and is counted for the account's webhook health.
   */
  async receive(accountId: string, body: Buffer, signature: string | undefined): Promise<ReceiveOutcome> {
    const stored = await this.repository.get(accountId);
    if (!stored) return 'unknown_account';
    const { appSecret } = this.secrets(stored);
    const now = Date.now();
    if (!signatureMatches(body, signature, appSecret)) {
      await this.repository.recordSignatureFailure(accountId, now);
      return 'bad_signature';
    }
    // Postgres cannot hold a NUL byte in text, and a body with one is no JSON anyway: it is kept
    // (NULs spelled as escapes) parked, so Meta gets its 200 rather than retrying it for days.
    if (body.includes(0)) {
      const text = body.toString('utf8').replaceAll('\u0000', '\\u0000');
      await this.repository.enqueue(accountId, text, now, 'the body holds NUL bytes, so it is no JSON');
      return 'accepted';
    }
    await this.repository.enqueue(accountId, body.toString('utf8'), now);
    return 'accepted';
  }

  /**
   * Maps one stored delivery into the store; throws on failure: an {@link UnstorableDelivery} when no
   * retry can help (the delivery is parked), anything else to be retried.
   */
  async process(delivery: PendingDelivery): Promise<MappedDelivery> {
    const { store, ingest } = this.options;
    const account = await accountById(store, delivery.accountId);
    if (!account) throw new Error(`account ${delivery.accountId} is gone`);
    const settings = await this.repository.get(account.id);
    let body: unknown;
    try {
      body = JSON.parse(delivery.body);
    } catch {
      // Signed by Meta yet not JSON: nothing to map, and retrying will not change that.
      return {
        items: [],
        keyChanges: [],
        contacts: [],
        history: [],
        statuses: [],
        placeholderContent: [],
        ignored: ['body is not JSON'],
      };
    }
    if (settings) refuseOtherNumbers(body, settings.phoneNumberId);
    const mapped = mapDelivery(body, account.id, Date.now());
    const unstorable = findUnstorable({
      items: mapped.items,
      contacts: mapped.contacts,
      keys: mapped.keyChanges,
    });
    if (unstorable) {
      throw new UnstorableDelivery(
        unstorable.kind === 'depth'
          ? `a message nests deeper than ${MAX_DEPTH} levels`
          : `a message holds ${unstorable.message}, which cannot be stored`,
      );
    }
    // An erased person's profile is not recorded again (their messages are left out by the pipeline).
    const gone = await store.tombstones.tombstoned(account.workspaceId, [
      ...mapped.contacts,
      ...mapped.keyChanges.flatMap((change) => [change.from, change.to]),
    ]);
    if (gone.size > 0) {
      mapped.contacts = mapped.contacts.filter((contact) => !gone.has(contact));
      mapped.keyChanges = mapped.keyChanges.filter((c) => !gone.has(c.from) && !gone.has(c.to));
    }
    if (mapped.keyChanges.length > 0 || mapped.contacts.length > 0) {
      // Number and id changes first, so the notice itself (sent from the new keys) lands in the same chat.
      await writeTransaction(store.sql.db, store.sql.dialect, async (trx) => {
        for (const change of mapped.keyChanges) {
          const to = change.key === 'phone' ? change.to.phone : change.to.bsuid;
          if (!to) continue;
          // The person under the key that changes, else under another key the notice names (a BSUID
          // change of someone stored by number before Meta sent their BSUID).
          for (const fromKey of change.key === 'phone' ? KEYS : [...KEYS].reverse()) {
            const from = change.from[fromKey];
            if (!from) continue;
            const moved = await store.identities.changeKey(trx, account.workspaceId, change.key, {
              from,
              fromKey,
              to,
              waId: change.to.waId,
            });
            if (moved) break;
          }
        }
        if (mapped.contacts.length > 0)
          await store.identities.resolve(trx, account.workspaceId, mapped.contacts);
      });
    }
    // History media content fills its placeholder, which alone knows the message's chat and direction:
    // content that comes first waits (the delivery is retried) until the placeholder is stored.
    const stored = await store.messages.chatsOfStored(store.sql.db, account.id, mapped.placeholderContent);
    const waiting = new Set(mapped.placeholderContent.filter((id) => !stored.has(id)));
    const items = uniqueItems(
      mapped.items
        .filter((item) => !(item.kind === 'message' && waiting.has(item.sourceId)))
        .map((item) => afterKeyChanges(item, mapped)),
    );
    if (items.length > 0) await ingest.ingest(account, items);
    // After the items: an echo and its first status may come in one delivery.
    if (mapped.statuses.length > 0) {
      await this.storeSentElsewhere(account, mapped);
      await store.messages.applyStatuses(account.id, mapped.statuses);
    }
    if (mapped.history.length > 0) await this.recordHistory(account.id, mapped);
    if (waiting.size > 0) {
      throw new Error(
        `the media content of ${waiting.size} history message(s) (${[...waiting][0]}) waits for its placeholder`,
      );
    }
    return mapped;
  }

  /**
   * A status for a message the account never stored is a message another app sent through the API on
   * this number: it is stored as a placeholder from me in the recipient's chat (at its `sent` status's
   * time, else the first seen's until a `sent` one comes), which its content fills if an echo ever comes.
   */
  private async storeSentElsewhere(account: Account, mapped: MappedDelivery): Promise<void> {
    const { store, ingest } = this.options;
    const first = new Map<string, IngestMessage>();
    for (const status of mapped.statuses) {
      if (!status.placeholder) continue;
      if (!first.has(status.messageId) || status.status === 'sent')
        first.set(status.messageId, status.placeholder);
    }
    if (first.size === 0) return;
    const stored = await store.messages.chatsOfStored(store.sql.db, account.id, [...first.keys()]);
    const missing = [...first.values()].filter((m) => !stored.has(m.sourceId));
    if (missing.length > 0) await ingest.ingest(account, missing);
    // A `sent` status after a later one placed the message: the message goes back to when it was sent.
    const late = mapped.statuses.filter((s) => s.status === 'sent' && s.at > 0 && stored.has(s.messageId));
    if (late.length > 0)
      await store.messages.backdateSentElsewhere(
        account.id,
        late.map((s) => ({ sourceMessageId: s.messageId, sentAt: s.at })),
      );
  }

  /** The media resolver of `whatsapp-cloud://<account>/<media id>` URLs: the Graph API's two hops. */
  mediaResolver(): MediaResolver {
    return async (url, { signal, maxBytes }) => {
      const accountId = decodeURIComponent(url.hostname);
      const mediaId = decodeURIComponent(url.pathname.replace(/^\//, ''));
      const stored = await this.repository.get(accountId);
      if (!stored) throw new Error(`no Cloud API settings for account ${accountId}`);
      // Meta's Media Download API reference lists a `User-Agent` header naming the client (WhatsApp
      // Cloud API, Media Download API, "Header Parameters"): sent on both hops, as wasync/<version>.
      const headers = {
        authorization: `Bearer ${this.secrets(stored).accessToken}`,
        'user-agent': USER_AGENT,
      };
      const lookup = await this.options.fetch(
        `${stored.graphBaseUrl}/${stored.apiVersion}/${encodeURIComponent(mediaId)}?phone_number_id=${encodeURIComponent(stored.phoneNumberId)}`,
        { headers, signal },
      );
      if (!lookup.ok) throw new Error(`HTTP ${lookup.status} from the Graph API media lookup`);
      const info = (await lookup.json()) as { url?: unknown; sha256?: unknown; file_size?: unknown };
      if (typeof info.url !== 'string') throw new Error('the Graph API media lookup gave no url');
      if (Number(info.file_size ?? 0) > maxBytes) throw new BlobTooLargeError(maxBytes);
      const expected = hexSha256(info.sha256) ?? hexSha256(url.searchParams.get('sha256'));
      const response = await this.options.fetch(info.url, { headers, signal });
      return { response, expectedSha256: expected };
    };
  }

  private async recordHistory(accountId: string, mapped: MappedDelivery): Promise<void> {
    const stored = await this.repository.get(accountId);
    if (!stored) return;
    const progress = { ...stored.historyProgress };
    for (const chunk of mapped.history) {
      const phase = progress[chunk.phase] ?? { chunks: [], progress: 0 };
      if (!phase.chunks.includes(chunk.chunkOrder))
        phase.chunks = [...phase.chunks, chunk.chunkOrder].sort((a, b) => a - b);
      phase.progress = Math.max(phase.progress, chunk.progress);
      if (chunk.error) Object.assign(phase, { error: chunk.error });
      progress[chunk.phase] = phase;
    }
    await this.repository.updateHistoryProgress(accountId, progress);
  }

  private secrets(stored: StoredCloudAccount): CloudSecrets {
    return JSON.parse(this.box.open(stored.sealedCredentials, stored.accountId)) as CloudSecrets;
  }
}

/** A delivery no retry can store: it is parked with this message as its reason. */
export class UnstorableDelivery extends Error {
  override readonly name = 'UnstorableDelivery';
}

/**
 * Meta sends every number of an app to the app's one callback URL, and anyone holding the app secret
 * can sign: a change for another `phone_number_id` is not stored in this account.
 */
function refuseOtherNumbers(body: unknown, phoneNumberId: string): void {
  const other = numbersNamed(body).phoneNumberIds.find((id) => id !== phoneNumberId);
  if (other !== undefined) {
    throw new UnstorableDelivery(
      `addressed to phone_number_id ${other.slice(0, 64)}, not this account's ${phoneNumberId}`,
    );
  }
}

/**
 * Whether a failed attempt can never succeed: an UnstorableDelivery, or Postgres refusing the data
 * itself (SQLSTATE class 22, data exception: "PostgreSQL Documentation, Appendix A. PostgreSQL Error
 * Codes"), which the same content will meet on every retry.
 */
function isPermanent(error: unknown): boolean {
  if (error instanceof UnstorableDelivery) return true;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** The app-level callback URL's path: every number of a Meta app, routed by `phone_number_id`. */
export const APP_WEBHOOK_PATH = '/webhooks/whatsapp-cloud';

export function webhookPath(accountId: string): string {
  return `/webhooks/whatsapp-cloud/${encodeURIComponent(accountId)}`;
}

/** `sha256=<hex HMAC-SHA256(body, appSecret)>`, compared in constant time. */
export function signatureMatches(body: Buffer, header: string | undefined, appSecret: string): boolean {
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!hex) return false;
  const expected = createHmac('sha256', appSecret).update(body).digest();
  return safeEqual(Buffer.from(hex, 'hex'), expected);
}

export function signBody(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The webhook gives base64; the Graph API's media lookup and the history example give hex: all become lowercase hex. */
function hexSha256(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^[0-9a-f]{64}$/i.test(value)) return value.toLowerCase();
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

/** After a change of number or id the notice's sender is the person under their new keys. */
function afterKeyChanges(item: IngestItem, mapped: MappedDelivery): IngestItem {
  if (item.kind !== 'message' || item.type !== 'system' || mapped.keyChanges.length === 0) return item;
  const moved = (party: PartyRef | undefined): PartyRef | undefined => {
    if (!party) return party;
    let next = party;
    for (const change of mapped.keyChanges) {
      const same =
        (next.phone !== undefined && next.phone === change.from.phone) ||
        (next.bsuid !== undefined && next.bsuid === change.from.bsuid);
      if (!same) continue;
      next =
        change.key === 'phone'
          ? { ...next, phone: change.to.phone, waId: change.to.waId }
          : { ...next, bsuid: change.to.bsuid, parentBsuid: change.to.parentBsuid ?? next.parentBsuid };
    }
    return next;
  };
  const sender = moved(item.sender);
  const chat =
    item.chat.kind === 'direct'
      ? { ...item.chat, partner: moved(item.chat.partner) ?? item.chat.partner }
      : item.chat;
  return { ...item, sender, chat };
}

/** One item per source id: a body can repeat an update, and the pipeline takes each once per batch. */
function uniqueItems(items: IngestItem[]): IngestItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.kind === 'message' ? 'm' : 'e'}:${item.sourceId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function accountById(store: Store, accountId: string): Promise<Account | undefined> {
  const row = await store.sql.db
    .selectFrom('accounts')
    .select('workspace_id')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row ? store.accounts.get(row.workspace_id, accountId) : undefined;
}

const KEYS = ['phone', 'bsuid'] as const;

const DEFAULT_RETRIES = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];
const BATCH = 16;

/**
 * Processes stored webhook deliveries in the background, oldest first, also those left by a previous
 * run. A delivery that fails is retried with growing delays (capped at the last one) for as long as
 * it takes: a webhook Meta has been told we received must never be lost.
 */
export class WebhookProcessor {
  private readonly loop: BackgroundPass;
  private readonly retryDelays: readonly number[];

  constructor(
    private readonly cloud: WhatsAppCloudService,
    private readonly logger: Logger,
    options: { retryDelaysMs?: readonly number[]; pollMs?: number } = {},
  ) {
    this.retryDelays = options.retryDelaysMs ?? DEFAULT_RETRIES;
    this.loop = new BackgroundPass(() => this.drain(), {
      pollMs: options.pollMs ?? 10_000,
      onError: (error) => this.logger.error({ err: error }, 'webhook processing pass failed'),
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Processes every delivery due now, one at a time in arrival order; returns how many were tried. */
  async drain(now = () => Date.now()): Promise<number> {
    let attempted = 0;
    for (;;) {
      const due = await this.cloud.repository.claimDue(now(), BATCH, 5 * 60_000);
      if (due.length === 0) return attempted;
      for (const delivery of due) {
        attempted++;
        try {
          const mapped = await this.cloud.process(delivery);
          await this.cloud.repository.markProcessed(delivery.id, now());
          if (mapped.ignored.length > 0)
            this.logger.debug(
              { deliveryId: delivery.id, ignored: mapped.ignored },
              'webhook parts not stored',
            );
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          if (isPermanent(error)) {
            await this.cloud.repository.markParked(delivery.id, reason, now());
            this.logger.warn(
              { deliveryId: delivery.id, reason },
              'webhook delivery parked: it cannot be stored',
            );
            continue;
          }
          const delay = this.retryDelays[Math.min(delivery.attempts, this.retryDelays.length - 1)] ?? 60_000;
          await this.cloud.repository.markFailed(delivery.id, reason, now() + delay);
          this.logger.warn(
            { deliveryId: delivery.id, attempt: delivery.attempts + 1, reason },
            'webhook delivery processing failed; will retry',
          );
        }
      }
    }
  }
}
