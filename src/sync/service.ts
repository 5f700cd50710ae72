/**
 * What the API, the CLI and the worker ask of the sync: run a connection (holding its lease), "sync
 * now", the status of a connection, and the links between chats and CRM records (list, link by hand,
 * create a contact or lead from a chat, unlink).
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { WasyncError } from '../core/errors.js';
import type { Chat, Identity, Workspace } from '../core/model.js';
import type { CountryCode } from '../core/phone.js';
import type { ConnectionService, ConnectionView } from '../crms/connections.js';
import {
  CrmError,
  type CrmRecord,
  type Destination,
  DuplicateRecordsError,
  type RecordCard,
  type RecordType,
} from '../crms/types.js';
import type { Store } from '../store/index.js';
import type { RecordLink } from '../store/repositories/record-links.js';
import type { LedgerEntry } from '../store/repositories/sync-ledger.js';
import type { ChatSyncState, ChatSyncStatus } from '../store/repositories/sync-progress.js';
import { backoffMs } from './backoff.js';
import { SyncEngine, type SyncEngineOptions, SyncStopped } from './engine.js';
import { LeaseLost, RunLease } from './lease.js';
import type { ClaimedJob, JobState, RunSummary, SyncQueue } from './queue.js';

export interface SyncServiceOptions {
  store: Store;
  workspace: Workspace;
  connections: ConnectionService;
  logger: Logger;
  backfillDays: number;
  intervalMs: number;
  /** The server's WASYNC_DEFAULT_REGION, for a workspace that sets no default region of its own. */
  defaultRegion?: CountryCode | undefined;
  /** How long a run's lease lasts without renewal: a process that dies frees its jobs after this. */
  leaseMs?: number;
  /** First step of the backoff after a failed run. */
  retryBaseMs?: number;
  engine?: Pick<SyncEngineOptions, 'marginMs' | 'recheckMs' | 'retryBaseMs' | 'retryMaxMs' | 'clock'>;
}

export type RunOutcome =
  | { state: 'done'; summary: RunSummary }
  | { state: 'retrying'; summary: RunSummary | undefined; error: string; retryAt: Date }
  | { state: 'parked'; summary: RunSummary | undefined; reason: string }
  | { state: 'busy' };

export interface SyncStatus {
  connection: ConnectionView;
  job: JobState | undefined;
  chats: Record<ChatSyncStatus, number>;
  writes: Record<LedgerEntry['state'], number>;
  /** Writes not done: failed (to be retried), refused, or of unknown outcome. */
  problems: LedgerEntry[];
}

export interface LinkedRecordView {
  identity: { id: string; phone: string | undefined; name: string | undefined };
  link: RecordLink;
}

export interface ChatRecordView {
  connection: { id: string; name: string; kind: string };
  identity: { id: string; phone: string | undefined; name: string | undefined };
  link: RecordLink;
}

export interface UnmatchedChat {
  chat: Chat;
  reason: string | undefined;
  checkedAt: Date;
}

export class SyncService {
  readonly engine: SyncEngine;
  readonly queue: SyncQueue;
  /** Called after a run was asked for, so an idle worker in this process starts at once. */
  onEnqueue: (() => void) | undefined;
  /** Called after each run of this process, however it ended. */
  onRunFinished: ((connectionId: string, outcome: RunOutcome) => void) | undefined;
  readonly owner = `${hostname()}:${process.pid}`;
  private readonly destinations = new Map<string, Promise<Destination>>();
  private readonly leaseMs: number;
  /** The workspace's sync interval and backfill days, as of the last run. */
  private intervalMs: number;
  private backfillDays: number;

  constructor(private readonly options: SyncServiceOptions) {
    this.queue = options.store.syncJobs;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.intervalMs = options.intervalMs;
    this.backfillDays = options.backfillDays;
    this.engine = new SyncEngine({
      store: options.store,
      workspace: options.workspace,
      logger: options.logger,
      backfillDays: options.backfillDays,
      defaultRegion: options.defaultRegion,
      ...options.engine,
    });
  }

  /** The connection's destination, signed in once and reused by every run of this process. */
  destination(connectionId: string): Promise<Destination> {
    let destination = this.destinations.get(connectionId);
    if (!destination) {
      destination = this.options.connections.destination(this.options.workspace.id, connectionId);
      destination.catch(() => this.destinations.delete(connectionId));
      this.destinations.set(connectionId, destination);
    }
    return destination;
  }

  /** Leases the most overdue job of any connection for this process. */
  claimNext(): Promise<ClaimedJob | undefined> {
    return this.queue.claim(this.owner, Date.now(), this.leaseMs);
  }

  /** Runs one connection in this process now (`wasync sync --once`), unless another process is. */
  async runNow(idOrName: string): Promise<RunOutcome> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    if (connection.state === 'parked') {
      return { state: 'parked', summary: undefined, reason: connection.parkedReason ?? 'parked' };
    }
    await this.queue.enqueue(connection.id, Date.now(), 'run now');
    const job = await this.queue.claim(this.owner, Date.now(), this.leaseMs, connection.id);
    if (!job) return { state: 'busy' };
    return this.runJob(job);
  }

  /** Runs a claimed job, renewing its lease meanwhile, and schedules what comes next. */
  async runJob(job: ClaimedJob): Promise<RunOutcome> {
    const outcome = await this.run(job);
    this.onRunFinished?.(job.connectionId, outcome);
    return outcome;
  }

  private async run(job: ClaimedJob): Promise<RunOutcome> {
    const log = this.options.logger.child({ connection: job.connectionId, reason: job.reason });
    await this.refreshSettings();
    let connection: ConnectionView;
    try {
      connection = await this.options.connections.get(this.options.workspace.id, job.connectionId);
    } catch {
      // Deleted while queued: its job row went with it.
      return { state: 'busy' };
    }
    const lease = new RunLease({ queue: this.queue, job, leaseMs: this.leaseMs, logger: log });
    lease.start();
    try {
      const destination = await this.destination(connection.id);
      const result = await this.engine.run(connection, destination, lease);
      lease.throwIfLost();
      const { nextRetryAt, ...summary } = result;
      const nextAt = Math.min(Date.now() + this.intervalMs, nextRetryAt ?? Number.POSITIVE_INFINITY);
      await this.queue.complete(job, summary, nextAt);
      log.info({ summary }, 'sync run finished');
      return { state: 'done', summary };
    } catch (error) {
      // The job is another process's now: it finishes the work, and this one must not touch the job.
      if (error instanceof LeaseLost || lease.signal.aborted) return { state: 'busy' };
      const crmError =
        error instanceof SyncStopped ? error.crmError : error instanceof CrmError ? error : undefined;
      const summary = error instanceof SyncStopped ? error.summary : undefined;
      if (crmError?.kind === 'park') {
        const reason = `${crmError.message} (${crmError.code})`;
        await this.options.connections.park(connection.id, reason);
        this.destinations.delete(connection.id);
        await this.queue.fail(job, reason, Date.now() + this.intervalMs, summary);
        // Nothing runs until a person acts: "sync now" (or a setup) queues the next run.
        await this.queue.unschedule(connection.id);
        log.warn({ parkedReason: reason }, 'connection parked: a person must act');
        return { state: 'parked', summary, reason };
      }
      const message = crmError ? `${crmError.code}: ${crmError.message}` : String(error);
      const retryAt =
        Date.now() +
        backoffMs(job.attempts, {
          baseMs: this.options.retryBaseMs ?? 5_000,
          maxMs: this.intervalMs,
          retryAfterMs: crmError?.retryAfterMs,
        });
      await this.queue.fail(job, message, retryAt, summary);
      if (crmError) log.warn({ error: message, retryAt: new Date(retryAt) }, 'sync run stopped; will retry');
      else log.error({ err: error }, 'sync run failed');
      return { state: 'retrying', summary, error: message, retryAt: new Date(retryAt) };
    } finally {
      lease.stop();
    }
  }

  /**
   * Reads the workspace's settings, which an admin may have changed since the last run: time zone and
   * default region (on the shared workspace object), backfill window and sync interval (the server's
   * configured values where the workspace sets none).
   */
  async refreshSettings(): Promise<void> {
    const settings = await this.options.store.workspaces.settings(this.options.workspace.id);
    this.options.workspace.timeZone = settings.timeZone;
    this.options.workspace.defaultRegion = settings.defaultRegion;
    this.intervalMs = settings.syncIntervalMs ?? this.options.intervalMs;
    this.backfillDays = settings.backfillDays ?? this.options.backfillDays;
    this.engine.setBackfillDays(this.backfillDays);
  }

  /** "Sync now": a parked connection is given another try (it parks again if nothing was fixed). */
  async syncNow(idOrName: string): Promise<JobState | undefined> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    if (connection.state === 'parked') {
      await this.options.connections.unpark(connection.id);
      this.destinations.delete(connection.id);
    }
    await this.queue.enqueue(connection.id, Date.now(), 'sync now');
    this.onEnqueue?.();
    return this.queue.state(connection.id);
  }

  /** Forgets a connection's signed-in destination (after its credentials or setup changed). */
  forget(connectionId: string): void {
    this.destinations.delete(connectionId);
  }

  async status(idOrName: string): Promise<SyncStatus> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const { store } = this.options;
    return {
      connection,
      job: await this.queue.state(connection.id),
      chats: await store.syncProgress.countByStatus(connection.id),
      writes: await store.ledger.counts(connection.id),
      problems: await store.ledger.problems(connection.id, 50),
    };
  }

  /** A person asked to try failed and refused writes again. */
  async retryFailures(idOrName: string): Promise<number> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const chats = await this.options.store.ledger.retryProblems(connection.id);
    await this.options.store.syncProgress.invalidate([connection.id], chats);
    await this.syncNow(connection.id);
    return chats.length;
  }

  async linkedRecords(idOrName: string): Promise<LinkedRecordView[]> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const links = await this.options.store.links.list(connection.id);
    const identities = await this.identities(links.map((link) => link.identityId));
    return links.map((link) => ({
      identity: identityView(identities.get(link.identityId), link.identityId),
      link,
    }));
  }

  async unmatched(idOrName: string, limit = 200): Promise<UnmatchedChat[]> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const states = await this.options.store.syncProgress.byStatus(connection.id, ['unmatched'], limit);
    const chats = await this.options.store.chats.getMany(
      this.options.workspace.id,
      states.map((state) => state.chatId),
    );
    return states.flatMap((state: ChatSyncState) => {
      const chat = chats.get(state.chatId);
      return chat ? [{ chat, reason: state.reason, checkedAt: state.checkedAt }] : [];
    });
  }

  /** The records a chat's people are linked to, on every connection, with their last sync time. */
  async chatRecords(chatId: string): Promise<ChatRecordView[]> {
    const { people } = await this.chatPeople(chatId);
    const connections = await this.options.connections.list(this.options.workspace.id);
    const views: ChatRecordView[] = [];
    for (const connection of connections) {
      const links = await this.options.store.links.forIdentities(
        connection.id,
        people.map((person) => person.id),
      );
      for (const person of people) {
        const link = links.get(person.id);
        if (link) {
          views.push({
            connection: { id: connection.id, name: connection.name, kind: connection.kind },
            identity: identityView(person, person.id),
            link,
          });
        }
      }
    }
    return views;
  }

  /** Links the chat's partner (or, in a group, the named participant) to an existing CRM record. */
  async linkChat(
    chatId: string,
    input: { connection: string; record: { type: RecordType; id: string }; identityId?: string | undefined },
  ): Promise<RecordLink> {
    const connection = await this.options.connections.get(this.options.workspace.id, input.connection);
    const person = await this.personOf(chatId, input.identityId);
    supports(await this.destination(connection.id), input.record.type);
    const card = await this.crm(() => this.card(connection.id, input.record));
    return this.saveLink(connection.id, person, card, 'manual');
  }

  /** Creates a contact or lead in the CRM from the chat's partner (or the named participant) and links it. */
  async createRecordFromChat(
    chatId: string,
    input: {
      connection: string;
      type: RecordType;
      name?: string | undefined;
      company?: string | undefined;
      identityId?: string | undefined;
    },
  ): Promise<RecordLink> {
    const connection = await this.options.connections.get(this.options.workspace.id, input.connection);
    const person = await this.personOf(chatId, input.identityId);
    if (!person.phone) {
      throw new WasyncError(
        'conflict',
        'WhatsApp has not shared this person’s phone number, so no CRM record can be made from it; link one by hand.',
      );
    }
    const destination = await this.destination(connection.id);
    supports(destination, input.type);
    const phone = person.phone;
    const record = await this.crm(() =>
      destination.createRecord({
        type: input.type,
        name: input.name ?? person.displayName ?? phone,
        phone,
        company: input.company,
      }),
    );
    return this.saveLink(connection.id, person, record, 'created');
  }

  async unlinkChat(
    chatId: string,
    input: { connection: string; identityId?: string | undefined },
  ): Promise<boolean> {
    const connection = await this.options.connections.get(this.options.workspace.id, input.connection);
    const person = await this.personOf(chatId, input.identityId);
    const removed = await this.options.store.links.unlink(connection.id, person.id);
    if (removed) await this.touchChatsOf(connection.id, person.id);
    return removed;
  }

  async search(idOrName: string, query: string): Promise<CrmRecord[]> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const destination = await this.destination(connection.id);
    return this.crm(() => destination.search(query, this.engine.lookupContext()));
  }

  async card(idOrName: string, record: { type: RecordType; id: string }): Promise<RecordCard> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const destination = await this.destination(connection.id);
    supports(destination, record.type);
    const card = await this.crm(() => destination.card(record));
    // No deals on the card of a CRM (or mode) without them, whatever the CRM answered.
    return destination.capabilities.deals ? card : { ...card, openDeals: [] };
  }

  private async saveLink(
    connectionId: string,
    person: Identity,
    record: CrmRecord,
    linkedBy: 'manual' | 'created',
  ): Promise<RecordLink> {
    const link = await this.options.store.links.link({
      connectionId,
      identityId: person.id,
      record: { type: record.type, id: record.id, name: record.name },
      linkedBy,
      backfillFrom: Date.now() - this.backfillDays * 86_400_000,
    });
    await this.touchChatsOf(connectionId, person.id);
    await this.queue.enqueue(connectionId, Date.now(), 'record linked');
    this.onEnqueue?.();
    return link;
  }

  /** The chats a person is in get looked at by the next run (their records changed). */
  private async touchChatsOf(connectionId: string, identityId: string): Promise<void> {
    const chats = await this.options.store.chats.idsWithIdentity(identityId);
    await this.options.store.syncProgress.invalidate([connectionId], chats);
  }

  private async chatPeople(chatId: string): Promise<{ chat: Chat; people: Identity[] }> {
    const chat = await this.options.store.chats.get(this.options.workspace.id, chatId);
    if (!chat) throw new WasyncError('not_found', `No chat ${chatId}.`);
    if (chat.kind === 'group') return { chat, people: await this.options.store.chats.participants(chat.id) };
    return { chat, people: chat.partner ? [chat.partner] : [] };
  }

  private async personOf(chatId: string, identityId: string | undefined): Promise<Identity> {
    const { chat, people } = await this.chatPeople(chatId);
    if (identityId === undefined && chat.kind === 'group') {
      throw new WasyncError('validation_failed', 'A group chat has many people: say which one (identityId).');
    }
    const person = identityId === undefined ? people[0] : people.find((p) => p.id === identityId);
    if (!person) throw new WasyncError('not_found', `No such person in chat ${chatId}.`);
    return person;
  }

  private async identities(ids: readonly string[]): Promise<Map<string, Identity>> {
    const result = new Map<string, Identity>();
    for (const id of new Set(ids)) {
      const identity = await this.options.store.identities.get(id);
      if (identity) result.set(id, identity);
    }
    return result;
  }

  /** A CRM's refusal reaches the client as crm_refused with the CRM's own code. */
  private async crm<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DuplicateRecordsError) {
        throw new WasyncError('crm_duplicates', error.message, {
          crmCode: error.code,
          duplicates: error.duplicates.map(({ type, id, name, phones, url }) => ({
            type,
            id,
            name,
            phones,
            url,
          })),
        });
      }
      if (error instanceof CrmError) {
        throw new WasyncError('crm_refused', error.message, { crmCode: error.code, kind: error.kind });
      }
      throw error;
    }
  }
}

function identityView(identity: Identity | undefined, id: string): LinkedRecordView['identity'] {
  return { id, phone: identity?.phone, name: identity?.displayName };
}

/** Refuses a lead where the destination's CRM (or mode) has none: the capability decides, not the kind. */
function supports(destination: Destination, type: RecordType): void {
  if (type === 'lead' && !destination.capabilities.leads) {
    throw new WasyncError('crm_unsupported', 'This CRM has no leads: link or create a contact.', {
      capability: 'leads',
    });
  }
}
