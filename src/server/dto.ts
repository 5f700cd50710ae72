import { z } from 'zod';
import type { Account, Chat, Identity, Message } from '../core/model.js';
import { ACCOUNT_VISIBILITIES, MESSAGE_TYPES, RECORD_TYPES, SOURCE_KINDS } from '../core/model.js';
import type { CrmRecord, RecordCard } from '../crms/types.js';
import type { AccountHealth, Health } from '../health/health.js';
import {
  APP_WEBHOOK_PATH,
  type CloudAccountView,
  type CoexistenceView,
} from '../sources/whatsapp-cloud/service.js';
import type { AccountStats } from '../store/repositories/accounts.js';
import { CRM_CHAT_STATES, stateCounts } from '../store/repositories/crm-chat-state.js';
import type { RecordLink } from '../store/repositories/record-links.js';
import type { LedgerEntry } from '../store/repositories/sync-ledger.js';
import {
  LINKED_DEVICE_STATES,
  type LinkedDeviceSession,
} from '../store/repositories/whatsapp-web-sessions.js';
import type { JobState, RunSummary } from '../sync/queue.js';
import type { ChatCrmView, ChatRecordView, UnmatchedChat } from '../sync/records-service.js';
import { describeSummary } from '../sync/run-summary-text.js';
import type { SyncStatus } from '../sync/service.js';
import type { AccountAccessView } from './access.js';

/** Which kind of CRM record a link or card names (core/model's RECORD_TYPES). */
export const RecordTypeSchema = z.enum(RECORD_TYPES).meta({ id: 'RecordType' });

/**
 * The JSON the API answers with, and the mapping from domain objects to it. Times are ISO 8601 UTC
 * strings; absent values are omitted rather than null.
 */

const iso = z.string().describe('ISO 8601, UTC');

export const IdentitySchema = z
  .object({
    id: z.string(),
    phone: z.string().optional(),
    waId: z.string().optional(),
    lid: z.string().optional(),
    userId: z.string().optional(),
    username: z.string().optional(),
    name: z.string().optional(),
  })
  .meta({ id: 'Identity' });

export const HealthSchema = z
  .object({
    status: z
      .enum(['ok', 'warning', 'trouble'])
      .describe(
        'trouble: it stopped capturing (a number) or syncing (a connection); warning: something to look at.',
      ),
    connected: z
      .boolean()
      .optional()
      .describe(
        "Whether messages arrive: a linked device's connection, a Cloud API webhook not silent. Absent for REST and imports.",
      ),
    lastMessageAt: iso.optional(),
    signs: z.array(
      z.object({
        code: z
          .string()
          .describe(
            'logged_out, replaced, banned, disconnected, not_paired, webhook_silent, webhook_never, webhook_signature_failing, media_failing; needs_attention, runs_failing (connections).',
          ),
        level: z.enum(['warning', 'trouble']),
        message: z.string(),
        since: iso.optional(),
      }),
    ),
  })
  .meta({ id: 'Health' });

/** Health as the API answers it. */
export function healthDto(
  health: Health & { connected?: boolean | undefined; lastMessageAt?: Date | undefined },
): z.infer<typeof HealthSchema> {
  return defined({
    status: health.status,
    connected: health.connected,
    lastMessageAt: isoOf(health.lastMessageAt),
    signs: health.signs.map((sign) =>
      defined({ code: sign.code, level: sign.level, message: sign.message, since: isoOf(sign.since) }),
    ),
  });
}

const AccountPersonSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  removed: z.boolean().describe('No longer on the team: reads nothing until someone changes the number.'),
});

const SyncRequestSchema = z.object({
  state: z
    .enum(['requested', 'failed'])
    .describe('requested: Meta accepted the request (requestId); failed: no attempt was accepted yet.'),
  requestId: z.string().optional().describe("Meta's request id, for Meta support."),
  requestedAt: iso.optional(),
  lastAttemptAt: iso,
  error: z
    .string()
    .optional()
    .describe("The last attempt's error (kept beside an earlier accepted request)."),
  errorCode: z
    .string()
    .optional()
    .describe("Meta's error code of the last attempt (2593107: asked already)."),
});

/** The coexistence history request of a Cloud API account: its 24-hour window and each sync type's attempt. */
export const CloudCoexistenceSchema = z
  .object({
    onboardedAt: iso,
    windowClosesAt: iso.describe('24 hours after onboarding: Meta takes no sync request after it.'),
    windowOpen: z.boolean(),
    requests: z
      .object({ smb_app_state_sync: SyncRequestSchema.optional(), history: SyncRequestSchema.optional() })
      .describe('Per sync type (contacts, chat history); absent: not asked yet.'),
  })
  .meta({ id: 'CloudCoexistence' });

export const AccountSchema = z
  .object({
    id: z.string(),
    phone: z.string(),
    sourceKind: z.enum(SOURCE_KINDS),
    displayName: z.string().optional(),
    createdAt: iso,
    lastMessageAt: iso.optional(),
    chats: z.number().int(),
    messages: z.number().int(),
    access: z
      .object({
        owner: AccountPersonSchema.optional().describe('Absent: given to no one (only admins read it).'),
        visibility: z
          .enum(ACCOUNT_VISIBILITIES)
          .describe('team: everyone on the team reads its chats; private: its owner, sharers and admins.'),
        sharedWith: z.array(AccountPersonSchema),
        yours: z
          .enum(['owner', 'shared', 'team', 'admin', 'none'])
          .describe(
            'Why you read its chats; none: you manage the number as an admin the workspace narrows, without reading it.',
          ),
        canManage: z.boolean().describe('Whether you may change the owner, visibility and sharers.'),
      })
      .optional()
      .describe("Who reads this number's chats."),
    cloud: z
      .object({
        phoneNumberId: z.string(),
        wabaId: z.string().optional(),
        graphBaseUrl: z.string(),
        apiVersion: z.string(),
        webhookUrl: z
          .string()
          .describe(
            "This number's own URL: a per-number override of the callback URL (Meta's POST /{phone-number-id} with webhook_configuration), refusing changes for other numbers.",
          ),
        appWebhookUrl: z
          .string()
          .describe(
            "The app-level callback URL for Meta's App Dashboard → WhatsApp → Configuration: every number of the app, each change routed to its account by phone_number_id. Any account's verify token passes its handshake.",
          ),
        verifyToken: z.string().describe('Paste next to the webhook URL.'),
        lastDeliveryAt: iso.optional().describe('When the last correctly signed webhook arrived.'),
        signatureFailures: z.number().int().describe('Webhooks refused because the signature did not match.'),
        lastSignatureFailureAt: iso.optional(),
        deliveries: z.object({
          pending: z.number().int().describe('Received, not yet processed (or failing and being retried).'),
          processed: z.number().int(),
          lastError: z.string().optional(),
          parked: z
            .number()
            .int()
            .describe(
              'Signed deliveries set aside for good, nothing stored: content no database can keep, or another number.',
            ),
          lastParkedReason: z.string().optional(),
        }),
        history: z
          .record(
            z.string(),
            z.object({
              chunks: z.number().int().describe('History chunks received of this phase.'),
              progress: z.number().describe('Meta’s progress of the phase, 0 to 100 (100: done).'),
              error: z
                .unknown()
                .optional()
                .describe('Meta’s error, when the business declined sharing history.'),
            }),
          )
          .describe(
            'Coexistence history received from `history` webhooks, per phase (0: day 0–1, 1: days 1–90, 2: days 90–180).',
          ),
        coexistence: CloudCoexistenceSchema.optional().describe(
          'Present for a number shared with the WhatsApp Business app.',
        ),
      })
      .optional()
      .describe('WhatsApp Cloud API settings and webhook health; secrets are never shown.'),
    linkedDevice: z
      .object({
        state: z
          .enum(LINKED_DEVICE_STATES)
          .describe(
            'unpaired, pairing, connecting, connected, disconnected (reconnecting), banned (WhatsApp banned the number for a while: paused until pausedUntil), replaced (another copy took the session: stopped until wasync restarts) or logged_out.',
          ),
        reason: z
          .string()
          .optional()
          .describe('Why, in words: the cause of a disconnection, a failed pairing.'),
        statusCode: z.number().int().optional().describe("The library's code of the last disconnection."),
        since: iso.describe('When the session entered this state.'),
        me: z.string().optional().describe("The linked device's WhatsApp id, once paired."),
        connectedAt: iso.optional(),
        lastEventAt: iso.optional().describe('When the session last received anything from WhatsApp.'),
        gapSince: iso
          .optional()
          .describe('Start of a disconnection whose missed history is still being asked of the phone.'),
        pausedUntil: iso.optional().describe('While banned: the session connects again at this time.'),
        history: z
          .record(
            z.string(),
            z.object({
              chunks: z.number().int(),
              messages: z.number().int(),
              progress: z.number(),
              complete: z.boolean(),
            }),
          )
          .describe(
            'History sync per phase (bootstrap, recent, full, on_demand, ...): chunks, messages, progress.',
          ),
        optedInBy: z.string().optional().describe('Who accepted the risk of linking this account.'),
        optedInAt: iso.optional(),
      })
      .optional()
      .describe('Linked-device session state and history sync progress.'),
    health: HealthSchema.optional().describe('Connected or not, last message, and signs of trouble.'),
  })
  .meta({ id: 'Account' });

export const ChatCrmStateSchema = z
  .object({
    connection: z.object({ id: z.string(), name: z.string() }),
    state: z
      .enum(CRM_CHAT_STATES)
      .describe(
        'in_crm: everything that goes to the CRM is there; waiting: the next run takes it; failed: some writes failed (tried again); not_in_crm: nobody of the chat has a record, or nothing is within what goes; excluded: never written.',
      ),
    reason: z.string().optional().describe('failed, not_in_crm, excluded: why.'),
    upTo: iso.optional().describe('in_crm: the latest message that is in the CRM.'),
    nextRunAt: iso.optional().describe('waiting: when the next run is due.'),
    retryAt: iso.optional().describe('failed: when the writes are tried again.'),
    lastSyncedAt: iso.optional().describe("When a run last wrote this chat's records."),
    history: z
      .object({
        from: iso.describe('Messages from this time on go to the CRM.'),
        firstSentAt: iso.optional().describe('The first message that goes.'),
        olderNotSent: z
          .number()
          .int()
          .describe('Messages older than `from`, not sent unless asked (POST /chats/{chatId}/history).'),
        asked: z.boolean().describe("The user asked for the chat's history (an import, Send older history)."),
      })
      .optional()
      .describe('For a chat whose people are linked: what of its history goes to the CRM.'),
    unlinked: z
      .array(
        z.object({
          identityId: z.string(),
          record: z.object({ type: RecordTypeSchema, id: z.string(), name: z.string().optional() }),
          at: iso,
        }),
      )
      .describe('People unlinked by hand on this connection: not matched by phone again until asked.'),
  })
  .meta({ id: 'ChatCrmState' });

export function chatCrmStateDto(view: ChatCrmView): z.infer<typeof ChatCrmStateSchema> {
  return defined({
    connection: view.connection,
    state: view.state,
    reason: view.reason,
    upTo: isoOf(view.upTo),
    nextRunAt: isoOf(view.nextRunAt),
    retryAt: isoOf(view.retryAt),
    lastSyncedAt: isoOf(view.lastSyncedAt),
    history: view.history && {
      from: view.history.from.toISOString(),
      ...(view.history.firstSentAt ? { firstSentAt: view.history.firstSentAt.toISOString() } : {}),
      olderNotSent: view.history.olderNotSent,
      asked: view.history.asked,
    },
    unlinked: view.unlinked.map((u) => ({
      identityId: u.identityId,
      record: defined({ type: u.record.type, id: u.record.id, name: u.record.name }),
      at: u.at.toISOString(),
    })),
  });
}

export const ChatSchema = z
  .object({
    id: z.string(),
    accountId: z.string(),
    type: z.enum(['direct', 'group']),
    title: z.string().optional().describe('Group title, or the partner name of a direct chat.'),
    partner: IdentitySchema.optional(),
    groupId: z.string().optional(),
    createdAt: iso,
    lastMessageAt: iso.optional(),
    lastMessage: z
      .object({
        type: z.enum(MESSAGE_TYPES),
        text: z.string().optional(),
        fromMe: z.boolean(),
        at: iso,
        deleted: z.boolean(),
      })
      .optional()
      .describe('In lists: the latest message (system notices aside).'),
    links: z
      .array(
        z.object({
          connectionId: z.string(),
          identityId: z.string(),
          record: z.object({
            type: RecordTypeSchema,
            id: z.string(),
            name: z.string().optional(),
          }),
          lastSyncedAt: iso.optional(),
        }),
      )
      .optional()
      .describe('In lists: the CRM records of the people of the chat, per connection, with their last sync.'),
    crm: z
      .array(ChatCrmStateSchema)
      .optional()
      .describe('In lists: where the chat stands on each CRM connection.'),
  })
  .meta({ id: 'ChatSummary' });

export const MessageSchema = z
  .object({
    id: z.string(),
    sourceId: z.string(),
    chatId: z.string(),
    fromMe: z.boolean(),
    senderId: z.string().optional(),
    senderName: z.string().optional(),
    timestamp: iso,
    type: z.enum(MESSAGE_TYPES),
    text: z.string().optional(),
    replyTo: z.string().optional(),
    editedAt: iso.optional(),
    deletedAt: iso.optional(),
    delivery: z
      .object({ status: z.string(), at: iso })
      .optional()
      .describe('For messages sent from the account: sent, delivered, read, played or failed, and when.'),
    details: z.record(z.string(), z.unknown()).optional(),
    reactions: z.array(
      z.object({ emoji: z.string(), fromMe: z.boolean(), senderId: z.string().optional(), at: iso }),
    ),
    media: z
      .object({
        state: z.enum(['stored', 'pending', 'failed']),
        sha256: z.string().optional(),
        mimeType: z.string().optional(),
        size: z.number().int().optional(),
        fileName: z.string().optional(),
        failure: z.string().optional(),
      })
      .optional(),
  })
  .meta({ id: 'Message' });

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().optional().describe('Pass as `cursor` for the next page.'),
  });

const isoOf = (date: Date | undefined) => date?.toISOString();

/** Drops undefined values so they are omitted from the JSON (exactOptionalPropertyTypes-friendly). */
function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function identityDto(identity: Identity): z.infer<typeof IdentitySchema> {
  return defined({
    id: identity.id,
    phone: identity.phone,
    waId: identity.waId,
    lid: identity.lid,
    userId: identity.bsuid,
    username: identity.username,
    name: identity.displayName,
  });
}

export function accountDto(
  account: Account,
  stats: AccountStats | undefined,
  cloud?: { view: CloudAccountView; origin: string },
  linked?: LinkedDeviceSession,
  access?: AccountAccessView,
  health?: AccountHealth,
): z.infer<typeof AccountSchema> {
  return defined({
    id: account.id,
    phone: account.phone,
    sourceKind: account.sourceKind,
    displayName: account.displayName,
    createdAt: account.createdAt.toISOString(),
    lastMessageAt: isoOf(account.lastMessageAt),
    chats: stats?.chats ?? 0,
    messages: stats?.messages ?? 0,
    access: access && defined({ ...access }),
    cloud: cloud && cloudDto(cloud.view, cloud.origin),
    linkedDevice: account.sourceKind === 'linked_device' ? linkedDeviceDto(account, linked) : undefined,
    health: health && healthDto(health),
  });
}

/** A linked-device account's session; one never paired has no row yet and shows as unpaired since made. */
function linkedDeviceDto(
  account: Account,
  session: LinkedDeviceSession | undefined,
): NonNullable<z.infer<typeof AccountSchema>['linkedDevice']> {
  if (!session) return { state: 'unpaired', since: account.createdAt.toISOString(), history: {} };
  return defined({
    state: session.state,
    reason: session.reason,
    statusCode: session.statusCode,
    since: session.stateAt.toISOString(),
    me: session.me,
    connectedAt: isoOf(session.connectedAt),
    lastEventAt: isoOf(session.lastEventAt),
    gapSince: isoOf(session.gapSince),
    pausedUntil: isoOf(session.pausedUntil),
    history: Object.fromEntries(
      Object.entries(session.history).map(([phase, h]) => [
        phase,
        { chunks: h.chunks.length, messages: h.messages, progress: h.progress, complete: h.complete },
      ]),
    ),
    optedInBy: session.optedInBy,
    optedInAt: isoOf(session.optedInAt),
  });
}

function cloudDto(
  view: CloudAccountView,
  origin: string,
): NonNullable<z.infer<typeof AccountSchema>['cloud']> {
  return defined({
    phoneNumberId: view.phoneNumberId,
    wabaId: view.wabaId,
    graphBaseUrl: view.graphBaseUrl,
    apiVersion: view.apiVersion,
    webhookUrl: `${origin.replace(/\/+$/, '')}${view.webhookPath}`,
    appWebhookUrl: `${origin.replace(/\/+$/, '')}${APP_WEBHOOK_PATH}`,
    verifyToken: view.verifyToken,
    lastDeliveryAt: isoOf(view.lastDeliveryAt),
    signatureFailures: view.signatureFailures,
    lastSignatureFailureAt: isoOf(view.lastSignatureFailureAt),
    deliveries: defined({ ...view.deliveries }),
    history: Object.fromEntries(
      Object.entries(view.historyProgress).map(([phase, p]) => [
        phase,
        defined({ chunks: p.chunks.length, progress: p.progress, error: (p as { error?: unknown }).error }),
      ]),
    ),
    coexistence: view.coexistence && coexistenceDto(view.coexistence),
  });
}

export function coexistenceDto(
  view: CoexistenceView,
  now = Date.now(),
): z.infer<typeof CloudCoexistenceSchema> {
  return {
    onboardedAt: view.onboardedAt.toISOString(),
    windowClosesAt: view.windowClosesAt.toISOString(),
    windowOpen: now < view.windowClosesAt.getTime(),
    requests: Object.fromEntries(
      view.requests.map((r) => [
        r.syncType,
        defined({
          state: r.requestId ? ('requested' as const) : ('failed' as const),
          requestId: r.requestId,
          requestedAt: isoOf(r.requestedAt),
          lastAttemptAt: r.lastAttemptAt.toISOString(),
          error: r.error,
          errorCode: r.errorCode,
        }),
      ]),
    ),
  };
}

export function chatDto(chat: Chat): z.infer<typeof ChatSchema> {
  return defined({
    id: chat.id,
    accountId: chat.accountId,
    type: chat.kind,
    title: chat.title ?? chat.partner?.displayName ?? chat.partner?.phone,
    partner: chat.partner && identityDto(chat.partner),
    groupId: chat.groupKey,
    createdAt: chat.createdAt.toISOString(),
    lastMessageAt: isoOf(chat.lastMessageAt),
  });
}

export function messageDto(message: Message): z.infer<typeof MessageSchema> {
  return defined({
    id: message.id,
    sourceId: message.sourceMessageId,
    chatId: message.chatId,
    fromMe: message.fromMe,
    senderId: message.senderIdentityId,
    senderName: message.senderName,
    timestamp: message.sentAt.toISOString(),
    type: message.type,
    text: message.text,
    replyTo: message.replyToSourceId,
    editedAt: isoOf(message.editedAt),
    deletedAt: isoOf(message.deletedAt),
    delivery: message.delivery && { status: message.delivery.status, at: message.delivery.at.toISOString() },
    details: message.details,
    reactions: message.reactions.map((r) =>
      defined({ emoji: r.emoji, fromMe: r.fromMe, senderId: r.identityId, at: r.reactedAt.toISOString() }),
    ),
    media:
      message.media &&
      defined({
        state: message.media.state,
        sha256: message.media.sha256,
        mimeType: message.media.mimeType,
        size: message.media.sizeBytes,
        fileName: message.media.fileName,
        failure: message.media.failure,
      }),
  });
}

// ── Sync: status, links between chats and CRM records, the CRM's own records ──────────────────────

export const RunSummarySchema = z
  .object({
    startedAt: iso,
    finishedAt: iso,
    chats: z.number().int().describe('Chats looked at.'),
    matched: z.number().int().describe('Chats with at least one linked record.'),
    unmatched: z.number().int().describe('Chats with no CRM record (see the unmatched list).'),
    linksFound: z.number().int().describe('Links made by phone lookup in this run.'),
    transcriptsWritten: z.number().int().describe('Day transcripts created or updated in the CRM.'),
    transcriptsUnchanged: z.number().int().describe('Day transcripts unchanged since the last write.'),
    filesUploaded: z.number().int(),
    failed: z.number().int().describe('Writes that failed and wait for a retry.'),
    rejected: z.number().int().describe('Writes the CRM refused.'),
    recovered: z.number().int().describe('Writes of unknown outcome from an interrupted run, resolved.'),
    stoppedBy: z.string().optional().describe('Why the run stopped early, if it did.'),
  })
  .meta({ id: 'RunSummary' });

export const SyncJobSchema = z
  .object({
    connectionId: z.string(),
    running: z.boolean().describe('A process is syncing this connection right now.'),
    runningUntil: iso.optional().describe("When the running process's lease ends unless renewed."),
    nextRunAt: iso.optional().describe('When the next run is due; absent while parked or none is queued.'),
    nextRunReason: z.string().optional().describe('Why that run was asked for (schedule, sync now, …).'),
    attempts: z.number().int().describe('Failed runs in a row.'),
    lastError: z.string().optional().describe('Why the last run stopped, if it did.'),
    lastStartedAt: iso.optional(),
    lastFinishedAt: iso.optional(),
    lastSuccessAt: iso.optional(),
    lastSummary: RunSummarySchema.optional(),
    lastSummaryText: z
      .string()
      .optional()
      .describe('The last run in one line, as `wasync sync --once` prints it.'),
  })
  .meta({ id: 'SyncJob' });

const RecordRefSchema = z.object({ type: RecordTypeSchema, id: z.string() });

export const SyncProblemSchema = z
  .object({
    key: z.string().describe('The idempotency key of the write.'),
    kind: z.enum(['transcript', 'file']),
    chatId: z.string(),
    record: RecordRefSchema,
    day: z.string().optional().describe('The local day (YYYY-MM-DD) of a transcript.'),
    messageId: z.string().optional().describe('The message of a file.'),
    state: z
      .enum(['intent', 'done', 'failed', 'rejected'])
      .describe('failed: retried later; rejected: the CRM refused it; intent: outcome unknown.'),
    attempts: z.number().int(),
    lastError: z.string().optional(),
    nextAttemptAt: iso.optional(),
    updatedAt: iso,
  })
  .meta({ id: 'SyncProblem' });

export const SyncStatusSchema = z
  .object({
    connection: z.object({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      state: z.enum(['active', 'parked']),
      parkedReason: z.string().optional().describe('What a person must fix before the sync goes on.'),
    }),
    job: SyncJobSchema,
    chats: z
      .object({
        inCrm: z.number().int().describe('Everything that goes to the CRM is there.'),
        waiting: z
          .number()
          .int()
          .describe('Changed since the last run, or never looked at: the next run takes them.'),
        failed: z.number().int().describe('Some writes failed; they are tried again.'),
        notInCrm: z
          .number()
          .int()
          .describe('Nobody of the chat has a record, or nothing of it is within what goes to the CRM.'),
        excluded: z.number().int().describe('Chats on the exclusion list: never written.'),
      })
      .describe("The workspace's chats by their state on this connection, as the chat list shows them."),
    writes: z
      .object({
        done: z.number().int(),
        intent: z.number().int(),
        failed: z.number().int(),
        rejected: z.number().int(),
      })
      .describe('CRM writes in the ledger by state.'),
    problems: z.array(SyncProblemSchema).describe('Writes not done, at most 50.'),
  })
  .meta({ id: 'SyncStatus' });

export const LinkedIdentitySchema = z.object({
  id: z.string(),
  phone: z.string().optional(),
  name: z.string().optional(),
});

export const RecordLinkSchema = z
  .object({
    id: z.string(),
    connectionId: z.string(),
    identity: LinkedIdentitySchema.describe('The WhatsApp person linked.'),
    record: z.object({ type: RecordTypeSchema, id: z.string(), name: z.string().optional() }),
    linkedBy: z
      .enum(['lookup', 'created', 'manual'])
      .describe('Found by phone, created from the chat, or linked by hand.'),
    linkedAt: iso,
    backfillFrom: iso.describe('Messages from this time on go to the record.'),
    lastSyncedAt: iso.optional().describe('When the record last received this person’s chats.'),
  })
  .meta({ id: 'RecordLink' });

export const ChatRecordSchema = RecordLinkSchema.extend({
  connection: z.object({ id: z.string(), name: z.string(), kind: z.string() }),
}).meta({ id: 'ChatRecordLink' });

export const UnmatchedChatSchema = z
  .object({
    chat: ChatSchema,
    reason: z.string().optional().describe('Why it is not in the CRM.'),
    checkedAt: iso
      .optional()
      .describe('When a run last looked at it (none: nothing new within the backfill window).'),
    linked: z.boolean().describe('Its people are linked, but nothing of it is within what goes to the CRM.'),
    olderNotSent: z.number().int().describe('Messages older than what goes to the CRM.'),
    unlinkedByHand: z
      .boolean()
      .describe('Its person was unlinked by hand: not matched by phone again until asked.'),
  })
  .meta({ id: 'UnmatchedChat' });

export const CrmRecordSchema = z
  .object({
    type: RecordTypeSchema,
    id: z.string(),
    name: z.string(),
    phones: z.array(z.string()).describe('The phone fields as the CRM holds them.'),
    url: z.string().describe('Opens the record in the CRM.'),
  })
  .meta({ id: 'CrmRecord' });

export const RecordCardSchema = CrmRecordSchema.extend({
  company: z.string().optional(),
  owner: z.string().optional(),
  email: z.string().optional(),
  leadStatus: z.string().optional(),
  openDeals: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      stage: z.string().optional(),
      amount: z.number().optional(),
      url: z.string(),
    }),
  ),
  latestNotes: z
    .array(z.object({ id: z.string(), title: z.string(), excerpt: z.string(), createdAt: iso }))
    .describe('Newest first, at most five.'),
}).meta({ id: 'RecordCard' });

export function runSummaryDto(summary: RunSummary): z.infer<typeof RunSummarySchema> {
  return defined({ ...summary, stoppedBy: summary.stoppedBy });
}

/** A connection that never ran has no job yet: it answers as idle with nothing known. */
export function syncJobDto(
  connectionId: string,
  job: JobState | undefined,
  parked: boolean,
): z.infer<typeof SyncJobSchema> {
  return defined({
    connectionId,
    running: job?.running !== undefined,
    runningUntil: isoOf(job?.running?.until),
    // A parked connection is not claimed whatever its queue row says.
    nextRunAt: parked ? undefined : isoOf(job?.runAt),
    nextRunReason: !parked && job?.runAt ? job.reason : undefined,
    attempts: job?.attempts ?? 0,
    lastError: job?.lastError,
    lastStartedAt: isoOf(job?.lastStartedAt),
    lastFinishedAt: isoOf(job?.lastFinishedAt),
    lastSuccessAt: isoOf(job?.lastSuccessAt),
    lastSummary: job?.lastSummary && runSummaryDto(job.lastSummary),
    lastSummaryText: job?.lastSummary && describeSummary(job.lastSummary),
  });
}

export function syncProblemDto(entry: LedgerEntry): z.infer<typeof SyncProblemSchema> {
  return defined({
    key: entry.key,
    kind: entry.kind,
    chatId: entry.chatId,
    record: { type: entry.record.type, id: entry.record.id },
    day: entry.day,
    messageId: entry.messageId,
    state: entry.state,
    attempts: entry.attempts,
    lastError: entry.lastError,
    nextAttemptAt: isoOf(entry.nextAttemptAt),
    updatedAt: entry.updatedAt.toISOString(),
  });
}

export function syncStatusDto(status: SyncStatus): z.infer<typeof SyncStatusSchema> {
  const { connection } = status;
  const parked = connection.state === 'parked';
  return {
    connection: defined({
      id: connection.id,
      name: connection.name,
      kind: connection.kind,
      state: connection.state,
      parkedReason: connection.parkedReason,
    }),
    job: syncJobDto(connection.id, status.job, parked),
    chats: stateCounts(status.chats),
    writes: { ...status.writes },
    problems: status.problems.map(syncProblemDto),
  };
}

export function recordLinkDto(
  link: RecordLink,
  identity: { id: string; phone?: string | undefined; name?: string | undefined },
): z.infer<typeof RecordLinkSchema> {
  return defined({
    id: link.id,
    connectionId: link.connectionId,
    identity: defined({ id: identity.id, phone: identity.phone, name: identity.name }),
    record: defined({ type: link.record.type, id: link.record.id, name: link.record.name }),
    linkedBy: link.linkedBy,
    linkedAt: link.linkedAt.toISOString(),
    backfillFrom: link.backfillFrom.toISOString(),
    lastSyncedAt: isoOf(link.lastSyncedAt),
  });
}

export function chatRecordDto(view: ChatRecordView): z.infer<typeof ChatRecordSchema> {
  return { ...recordLinkDto(view.link, view.identity), connection: { ...view.connection } };
}

export function unmatchedChatDto(unmatched: UnmatchedChat): z.infer<typeof UnmatchedChatSchema> {
  return defined({
    chat: chatDto(unmatched.chat),
    reason: unmatched.reason,
    checkedAt: isoOf(unmatched.checkedAt),
    linked: unmatched.linked,
    olderNotSent: unmatched.olderNotSent,
    unlinkedByHand: unmatched.unlinkedByHand,
  });
}

export function crmRecordDto(record: CrmRecord): z.infer<typeof CrmRecordSchema> {
  return { type: record.type, id: record.id, name: record.name, phones: [...record.phones], url: record.url };
}

export function recordCardDto(card: RecordCard): z.infer<typeof RecordCardSchema> {
  return defined({
    ...crmRecordDto(card),
    company: card.company,
    owner: card.owner,
    email: card.email,
    leadStatus: card.leadStatus,
    openDeals: card.openDeals.map((deal) =>
      defined({ id: deal.id, name: deal.name, stage: deal.stage, amount: deal.amount, url: deal.url }),
    ),
    latestNotes: card.latestNotes.map((note) => ({
      id: note.id,
      title: note.title,
      excerpt: note.excerpt,
      createdAt: note.createdAt.toISOString(),
    })),
  });
}
