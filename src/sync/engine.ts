/**
 * The sync engine: one run takes a CRM connection's changed chats to their records. For each chat it
 * resolves the records (links, then a phone lookup), works out which local days changed for each
 * record (or, for a record new to the chat, every day of its backfill window), renders those days,
 * and writes the ones whose content differs from what the ledger says the CRM holds, in as few calls
 * as the destination's batch limits allow; then uploads the days' files. Cursors move only after the
 * writes they cover are done, so a run that stops anywhere is simply run again.
 */
import type { Logger } from 'pino';
import type { Chat, Identity, Message, Workspace } from '../core/model.js';
import { type CountryCode, isRegion } from '../core/phone.js';
import {
  CrmError,
  type Destination,
  type InlineAttachment,
  type LookupContext,
  type RefusedAttachment,
  type TranscriptRef,
} from '../crms/types.js';
import type { Store } from '../store/index.js';
import type { ExclusionMatcher } from '../store/repositories/exclusions.js';
import type { LedgerEntry } from '../store/repositories/sync-ledger.js';
import { backoffMs } from './backoff.js';
import { type DayFilesEngine, inlineAttachments, uploadFiles } from './day-files.js';
import {
  contentHash,
  type DayWrite,
  emptySummary,
  outcomeUnknown,
  planDay,
  transcriptIntent,
  transcriptKey,
} from './day-writes.js';
import type { RunSummary } from './queue.js';
import { type ChatPeople, type Resolution, resolveTargets, type Target } from './resolve.js';
import {
  type ChatPlan,
  callOptions,
  type RunContext,
  type RunGuard,
  type TargetPlan,
} from './run-context.js';
import { renderDayTranscripts } from './transcript.js';
import { localTime } from './transcript-time.js';

export type { RunGuard } from './run-context.js';

const DAY_MS = 86_400_000;
/** No time zone is further than 14 hours from UTC: a local day lies within its UTC date ± 14 hours. */
const ZONE_SPAN_MS = 14 * 3_600_000;
/** Chats handled together: their lookups and writes share CRM calls. */
const PAGE = 200;

export interface SyncEngineOptions {
  store: Store;
  workspace: Workspace;
  logger: Logger;
  backfillDays: number;
  /** The server's WASYNC_DEFAULT_REGION, for a workspace that sets no default region of its own. */
  defaultRegion?: CountryCode | undefined;
  /** How long a change may take to commit: changes this close before a run are read again by the next. */
  marginMs?: number;
  /** How often a chat with no record is looked up again though nothing changed. */
  recheckMs?: number;
  /** Backoff of single writes that failed: first step and cap. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  clock?: () => number;
}

/** A run ended early; `summary` says how far it got. The cause is a CrmError (retryable or park). */
export class SyncStopped extends Error {
  constructor(
    readonly crmError: CrmError,
    readonly summary: RunSummary,
  ) {
    super(crmError.message, { cause: crmError });
    this.name = 'SyncStopped';
  }
}

export class SyncEngine {
  private readonly store: Store;
  private readonly marginMs: number;
  private readonly recheckMs: number;
  private readonly clock: () => number;
  /** What the file steps (day-files.ts) use of the engine. */
  private readonly files: DayFilesEngine;

  constructor(private readonly options: SyncEngineOptions) {
    this.store = options.store;
    this.marginMs = options.marginMs ?? 60_000;
    this.recheckMs = options.recheckMs ?? 3_600_000;
    this.clock = options.clock ?? Date.now;
    this.files = {
      store: this.store,
      clock: this.clock,
      retryDelay: (entry, error) => this.retryDelay(entry, error),
      noteRetry: (context, at) => this.noteRetry(context, at),
    };
  }

  get backfillMs(): number {
    return this.options.backfillDays * DAY_MS;
  }

  /**
   * What CRM lookups need of the workspace: its default region (as its settings hold it now), else the
   * server's, so numbers stored without a country read as the API reads them.
   */
  lookupContext(): LookupContext {
    const region = this.options.workspace.defaultRegion;
    return { defaultRegion: region !== undefined && isRegion(region) ? region : this.options.defaultRegion };
  }

  /** The workspace's backfill window changed (its settings are read at the start of each run). */
  setBackfillDays(days: number): void {
    this.options.backfillDays = days;
  }

  /**
   * One run over the connection's changed chats. Throws SyncStopped when the CRM says to wait
   * (retryable) or to stop until a person acts (park); everything done before that is kept.
   */
  async run(
    connection: { id: string; name: string },
    destination: Destination,
    guard?: RunGuard,
  ): Promise<RunSummary & { nextRetryAt: number | undefined }> {
    const startedAt = this.clock();
    const context: RunContext = {
      connectionId: connection.id,
      guard,
      crmName: connection.name,
      destination,
      startedAt,
      summary: emptySummary(startedAt),
      accounts: new Map(
        (await this.store.accounts.list(this.options.workspace.id)).map((account) => [account.id, account]),
      ),
      exclusions: await this.store.exclusions.matcher(this.options.workspace.id),
      nextRetryAt: undefined,
    };
    const rules = { now: startedAt, backfillMs: this.backfillMs, recheckMs: this.recheckMs };
    let after = '';
    try {
      for (;;) {
        const page = await this.store.syncProgress.candidates(
          connection.id,
          this.options.workspace.id,
          rules,
          after,
          PAGE,
        );
        if (page.length === 0) break;
        guard?.signal.throwIfAborted();
        after = page[page.length - 1]?.id ?? after;
        await this.syncPage(context, page);
      }
    } catch (error) {
      context.summary.finishedAt = new Date(this.clock()).toISOString();
      if (error instanceof CrmError) {
        context.summary.stoppedBy = `${error.code}: ${error.message}`;
        throw new SyncStopped(error, context.summary);
      }
      throw error;
    }
    context.summary.finishedAt = new Date(this.clock()).toISOString();
    return { ...context.summary, nextRetryAt: context.nextRetryAt };
  }

  private async syncPage(context: RunContext, page: readonly { id: string; seq: number }[]): Promise<void> {
    const workspaceId = this.options.workspace.id;
    const seqOf = new Map(page.map((chat) => [chat.id, chat.seq]));
    const found = await this.store.chats.getMany(
      workspaceId,
      page.map((chat) => chat.id),
    );
    // Excluded chats are settled as such and never reach the CRM.
    const chats = new Map<string, Chat>();
    for (const [id, chat] of found) {
      const why = exclusionOf(chat, context.exclusions);
      if (why === undefined) {
        chats.set(id, chat);
        continue;
      }
      await this.store.syncProgress.saveChat(context.connectionId, chat.id, {
        status: 'excluded',
        reason: why,
        settled: { seq: seqOf.get(chat.id) ?? 0, through: context.startedAt },
        retryAt: undefined,
        synced: false,
      });
    }
    const groups = [...chats.values()].filter((chat) => chat.kind === 'group').map((chat) => chat.id);
    const participants = await this.store.chats.participantsOf(groups);
    const people: ChatPeople[] = [...chats.values()].map((chat) => ({
      chat,
      people: chat.kind === 'group' ? (participants.get(chat.id) ?? []) : chat.partner ? [chat.partner] : [],
    }));
    const { resolutions, linksFound } = await resolveTargets({
      connectionId: context.connectionId,
      crmName: context.crmName,
      chats: people,
      links: this.store.links,
      destination: context.destination,
      lookup: this.lookupContext(),
      call: callOptions(context),
      backfillFrom: context.startedAt - this.backfillMs,
    });
    context.summary.linksFound += linksFound;
    context.summary.chats += people.length;

    const plans: ChatPlan[] = [];
    for (const { chat, people: persons } of people) {
      const resolution = resolutions.get(chat.id) as Resolution;
      if (!resolution.matched) {
        context.summary.unmatched++;
        await this.store.syncProgress.saveChat(context.connectionId, chat.id, {
          status: 'unmatched',
          reason: resolution.reason,
          settled: { seq: seqOf.get(chat.id) ?? 0, through: context.startedAt },
          retryAt: undefined,
          synced: false,
        });
        continue;
      }
      context.summary.matched++;
      plans.push(await this.planChat(context, chat, persons, resolution.targets));
    }
    await this.writeTranscripts(context, plans);
    await uploadFiles(this.files, context, plans);
    for (const plan of plans) await this.settle(context, plan, seqOf.get(plan.chat.id) ?? 0);
  }

  /** Renders the days each record of the chat needs and compares them with the ledger. */
  private async planChat(
    context: RunContext,
    chat: Chat,
    people: readonly Identity[],
    targets: readonly Target[],
  ): Promise<ChatPlan> {
    const timeZone = this.options.workspace.timeZone;
    const states = await this.store.syncProgress.targets(context.connectionId, chat.id);
    const open = (await this.store.ledger.openFor(context.connectionId, chat.id)).filter(
      (entry) => entry.day !== undefined,
    );
    const wanted = new Map<Target, Set<string>>();
    for (const target of targets) {
      const state = states.get(target.record.id);
      const fresh = state === undefined || state.backfillFrom !== target.backfillFrom;
      const times = await this.store.messages.sentTimes(
        chat.id,
        target.backfillFrom,
        fresh ? undefined : (state?.syncedThrough ?? 0) - this.marginMs,
      );
      const days = new Set(times.map((at) => localTime(new Date(at), timeZone).day));
      for (const entry of open) if (entry.record.id === target.record.id) days.add(entry.day as string);
      wanted.set(target, days);
    }

    const messagesOfDay = new Map<string, Message[]>();
    for (const day of new Set([...wanted.values()].flatMap((days) => [...days]))) {
      const midnight = Date.parse(`${day}T00:00:00Z`);
      const messages = await this.store.messages.between(
        chat.id,
        midnight - ZONE_SPAN_MS,
        midnight + DAY_MS + ZONE_SPAN_MS,
      );
      messagesOfDay.set(
        day,
        messages.filter((message) => localTime(message.sentAt, timeZone).day === day),
      );
    }

    const account = context.accounts.get(chat.accountId);
    const participants = new Map(
      people.map((person) => [
        person.id,
        { identityId: person.id, name: person.displayName, phone: person.phone },
      ]),
    );
    const plan: ChatPlan = { chat, targets: [] };
    for (const target of targets) {
      const days = [...(wanted.get(target) ?? [])].sort();
      const messages = days.flatMap((day) =>
        (messagesOfDay.get(day) ?? []).filter((m) => m.sentAt.getTime() >= target.backfillFrom),
      );
      const transcripts = renderDayTranscripts({
        chat: { id: chat.id, kind: chat.kind === 'group' ? 'group' : 'direct', title: chat.title },
        ownerName: account?.displayName ?? account?.phone ?? 'WhatsApp',
        participants,
        messages,
        timeZone,
      });
      // By (chat, record, day) rather than by key: after two chats merged, the survivor's days keep
      // the keys the merged-away chat wrote them under, and are updated in place.
      const entries = await this.store.ledger.transcriptsFor(
        context.connectionId,
        chat.id,
        target.record.id,
        transcripts.map((t) => t.day),
      );
      const dayWrites = transcripts.map((transcript) => {
        const entry = entries.get(transcript.day);
        const key = entry?.key ?? transcriptKey(chat.id, target.record.id, transcript.day);
        const hash = contentHash(target, chat, transcript);
        return planDay(entry, { day: transcript.day, key, transcript, hash }, this.clock());
      });
      plan.targets.push({ target, days: dayWrites });
    }
    return plan;
  }

  /** Creates or updates the changed day transcripts, a batch of the destination's size per call. */
  private async writeTranscripts(context: RunContext, plans: readonly ChatPlan[]): Promise<void> {
    const pending: { chat: Chat; plan: TargetPlan; day: DayWrite }[] = [];
    for (const chatPlan of plans) {
      for (const plan of chatPlan.targets) {
        for (const day of plan.days) {
          if (day.outcome === 'write') pending.push({ chat: chatPlan.chat, plan, day });
          else if (day.outcome === 'unchanged') context.summary.transcriptsUnchanged++;
          else if (day.outcome === 'waiting') this.noteRetry(context, day.retryAt);
        }
      }
    }
    const size = Math.max(1, context.destination.capabilities.maxBatchRecords);
    for (let start = 0; start < pending.length; start += size) {
      const batch = pending.slice(start, start + size);
      await context.guard?.confirm();
      context.summary.recovered += batch.filter(({ day }) => day.entry?.state === 'intent').length;
      await this.store.ledger.recordIntents(
        context.connectionId,
        batch.map(({ chat, plan, day }) => transcriptIntent(chat, plan.target, day)),
      );
      const inline = context.destination.capabilities.attachments === 'inline';
      const files = new Map<DayWrite, { accepted: InlineAttachment[]; refused: RefusedAttachment[] }>();
      if (inline) {
        for (const { chat, plan, day } of batch) {
          files.set(day, await inlineAttachments(this.files, context, chat, plan.target, day));
        }
      }
      let results: Awaited<ReturnType<Destination['upsertDayTranscripts']>>;
      try {
        results = await context.destination.upsertDayTranscripts(
          batch.map(({ chat, plan, day }) => ({
            write: {
              record: { type: plan.target.record.type, id: plan.target.record.id },
              key: day.key,
              day: day.day,
              chat: { kind: chat.kind === 'group' ? 'group' : 'direct', title: chat.title },
              content: day.transcript.content,
              messageCount: day.transcript.messageCount,
              firstMessageAt: day.transcript.firstMessageAt,
              lastMessageAt: day.transcript.lastMessageAt,
              attachments: files.get(day)?.accepted ?? [],
              refusedAttachments: files.get(day)?.refused ?? [],
            },
            existing: day.entry?.ref,
            uncertain: outcomeUnknown(day.entry),
          })),
          callOptions(context),
        );
      } catch (error) {
        if (!(error instanceof CrmError)) throw error;
        await this.recordFailures(
          context,
          batch.map(({ day }) => ({ day, error })),
        );
        if (error.kind !== 'rejected') throw error;
        continue;
      }
      const done: { key: string; ref: TranscriptRef }[] = [];
      const failures: { day: DayWrite; error: CrmError }[] = [];
      batch.forEach(({ day }, i) => {
        const result = results[i];
        if (result?.ok) {
          day.outcome = 'done';
          day.ref = result.ref;
          done.push({ key: day.key, ref: result.ref });
        } else {
          failures.push({
            day,
            error:
              result?.error ??
              new CrmError({
                kind: 'retryable',
                code: 'NO_ANSWER',
                message: 'The CRM gave no answer for this write',
              }),
          });
        }
      });
      await this.store.ledger.markDone(context.connectionId, done);
      context.summary.transcriptsWritten += done.length;
      // Files that went inline are in the CRM with their transcript, and deleted with it.
      for (const { day } of batch)
        if (day.outcome === 'done') context.summary.filesUploaded += files.get(day)?.accepted.length ?? 0;
      await this.recordFailures(context, failures);
      const park = failures.find(({ error }) => error.kind === 'park');
      if (park) throw park.error;
    }
  }

  private async recordFailures(
    context: RunContext,
    failures: readonly { day: DayWrite; error: CrmError }[],
  ): Promise<void> {
    const rows = failures.map(({ day, error }) => {
      const retryAt =
        error.kind === 'rejected' ? undefined : this.clock() + this.retryDelay(day.entry, error);
      day.outcome = retryAt === undefined ? 'rejected' : 'failed';
      day.error = `${error.code}: ${error.message}`;
      day.retryAt = retryAt;
      if (retryAt === undefined) context.summary.rejected++;
      else {
        context.summary.failed++;
        this.noteRetry(context, retryAt);
      }
      return { key: day.key, error: day.error, retryAt, outcomeUnknown: error.outcomeUnknown };
    });
    await this.store.ledger.markFailed(context.connectionId, rows);
  }

  private retryDelay(entry: LedgerEntry | undefined, error: CrmError): number {
    return backoffMs(entry?.attempts ?? 0, {
      baseMs: this.options.retryBaseMs ?? 5_000,
      maxMs: this.options.retryMaxMs ?? 30 * 60_000,
      retryAfterMs: error.retryAfterMs,
    });
  }

  private noteRetry(context: RunContext, at: number | undefined): void {
    if (at === undefined) return;
    context.nextRetryAt = context.nextRetryAt === undefined ? at : Math.min(context.nextRetryAt, at);
  }

  /** Moves the cursors of every record whose days are all in the CRM, and records the chat's state. */
  private async settle(context: RunContext, plan: ChatPlan, seq: number): Promise<void> {
    const now = this.clock();
    let allSettled = true;
    let problem: string | undefined;
    let retryAt: number | undefined;
    for (const { target, days } of plan.targets) {
      const unsettled = days.filter((d) => d.outcome === 'failed' || d.outcome === 'waiting');
      const rejected = days.find((d) => d.outcome === 'rejected');
      problem ??= unsettled[0]?.error ?? rejected?.error;
      for (const day of unsettled) {
        const at = day.retryAt ?? day.entry?.nextAttemptAt?.getTime();
        if (at !== undefined) retryAt = retryAt === undefined ? at : Math.min(retryAt, at);
      }
      if (unsettled.length > 0) {
        allSettled = false;
        continue;
      }
      await this.store.syncProgress.saveTarget(context.connectionId, plan.chat.id, {
        recordType: target.record.type,
        recordId: target.record.id,
        backfillFrom: target.backfillFrom,
        syncedThrough: context.startedAt,
      });
      await this.store.links.markSynced(
        target.links.map((link) => link.id),
        now,
      );
    }
    // Linked, but nothing of the chat is within what goes to the CRM: it is not in the CRM. A run that
    // rendered a day has its answer (a day holds a message of the window); one that rendered none asks.
    const renderedDay = plan.targets.some(({ days }) => days.length > 0);
    const from = Math.min(...plan.targets.map(({ target }) => target.backfillFrom));
    const history =
      problem === undefined && allSettled && !renderedDay
        ? await this.store.messages.historyAround(plan.chat.id, from)
        : undefined;
    const outside = history !== undefined && history.since === 0;
    // A chat made before its first message (from the chat card, to link a record) has nothing to send yet.
    const why =
      history === undefined
        ? undefined
        : history.before === 0
          ? 'The chat has no messages yet.'
          : 'Every message of this chat is older than the backfill window.';
    await this.store.syncProgress.saveChat(context.connectionId, plan.chat.id, {
      status: problem !== undefined ? 'failed' : outside ? 'outside_window' : 'synced',
      reason: problem ?? (outside ? why : undefined),
      settled: allSettled ? { seq, through: context.startedAt } : undefined,
      retryAt,
      synced: allSettled,
    });
  }
}

/** Why a chat is excluded from backups, or undefined (the real-time trigger asks it too). */
export function exclusionOf(chat: Chat, exclusions: ExclusionMatcher): string | undefined {
  if (exclusions.accounts.has(chat.accountId)) return 'its WhatsApp number is excluded';
  if (chat.kind === 'group' && exclusions.groups.has(chat.id)) return 'the group is excluded';
  const phone = chat.kind === 'direct' ? chat.partner?.phone : undefined;
  if (phone && exclusions.phones.has(phone)) return 'the number is excluded';
  return undefined;
}
