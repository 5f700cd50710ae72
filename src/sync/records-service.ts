/**
 * The links between WhatsApp chats and CRM records, as the API and the CLI ask for them: list the
 * links and the unmatched chats of a connection, the records a chat's people are linked to, link a
 * person by hand, create a contact or lead from a chat, unlink, and the CRM searches and record card
 * that linking by hand needs. It signs in through the run orchestrator (SyncService), so both share a
 * connection's destination, and asks it for a run after a link changed.
 */

import { WasyncError } from '../core/errors.js';
import type { Chat, Identity, Workspace } from '../core/model.js';
import type { ConnectionService } from '../crms/connections.js';
import { asApiError } from '../crms/kit/api-errors.js';
import type { CrmRecord, Destination, RecordCard, RecordType } from '../crms/types.js';
import type { Store } from '../store/index.js';
import type { CrmChatState } from '../store/repositories/crm-chat-state.js';
import type { RecordLink } from '../store/repositories/record-links.js';
import { exclusionOf } from './engine.js';
import type { SyncService } from './service.js';

export interface RecordsServiceOptions {
  store: Store;
  workspace: Workspace;
  connections: ConnectionService;
  /** The run orchestrator: signed-in destinations, lookup context, backfill window, run requests. */
  sync: SyncService;
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
  /** When a run last looked at it; undefined when none has (nothing new within the backfill window). */
  checkedAt: Date | undefined;
  /** Its people are linked, but nothing of it is within what goes to the CRM. */
  linked: boolean;
  /** Messages older than what goes to the CRM. */
  olderNotSent: number;
  /** Its person was unlinked by hand: not matched by phone again until asked. */
  unlinkedByHand: boolean;
}

/** What the workspace says of a chat on one CRM connection (see crm-chat-state.ts for the states). */
export interface ChatCrmView {
  connection: { id: string; name: string };
  state: CrmChatState;
  /** failed, not_in_crm, excluded: why, in words. */
  reason: string | undefined;
  /** in_crm: the latest message that is in the CRM. */
  upTo: Date | undefined;
  /** waiting: when the next run is due. */
  nextRunAt: Date | undefined;
  /** failed: when its writes are tried again. */
  retryAt: Date | undefined;
  /** When a run last wrote this chat's records. */
  lastSyncedAt: Date | undefined;
  /** For a chat whose people are linked: what of its history goes to the CRM. */
  history:
    | {
        /** Messages from this time on go to the CRM (the backfill window, or what the user asked for). */
        from: Date;
        /** The first message that goes. */
        firstSentAt: Date | undefined;
        /** Messages older than `from`: not sent unless asked ("Send older history"). */
        olderNotSent: number;
        /** The user asked for the chat's history (an import, "Send older history"). */
        asked: boolean;
      }
    | undefined;
  /** People of the chat unlinked by hand on this connection: not matched by phone again. */
  unlinked: {
    identityId: string;
    record: { type: RecordType; id: string; name: string | undefined };
    at: Date;
  }[];
}

export class RecordsService {
  constructor(private readonly options: RecordsServiceOptions) {}

  /** The start of the backfill window now, as the next run will read it. */
  windowStart(now = Date.now()): number {
    return now - this.options.sync.backfillDays * 86_400_000;
  }

  /** Where each of these chats stands on each CRM connection, as the chat list and the card show it. */
  async chatStates(chats: readonly Chat[]): Promise<Map<string, ChatCrmView[]>> {
    const { store, workspace } = this.options;
    const result = new Map<string, ChatCrmView[]>(chats.map((chat) => [chat.id, []]));
    if (chats.length === 0) return result;
    const connections = await this.options.connections.list(workspace.id);
    if (connections.length === 0) return result;
    const names = new Map(connections.map((c) => [c.id, c.name]));
    const now = Date.now();
    const rows = await store.syncProgress.crmStates(
      workspace.id,
      chats.map((chat) => chat.id),
      this.windowStart(now),
    );
    const byId = new Map(chats.map((chat) => [chat.id, chat]));
    // Exclusions count from the moment they are made or lifted, not from the next run's record of them.
    const exclusions = await store.exclusions.matcher(workspace.id);
    const groups = chats.filter((chat) => chat.kind === 'group').map((chat) => chat.id);
    const participants = await store.chats.participantsOf(groups);
    const peopleOf = (chat: Chat) =>
      chat.kind === 'group'
        ? (participants.get(chat.id) ?? []).map((p) => p.id)
        : chat.partner
          ? [chat.partner.id]
          : [];
    const everyone = [...new Set(chats.flatMap(peopleOf))];
    const nextRuns = new Map<string, Date | undefined>();
    for (const connection of connections)
      nextRuns.set(connection.id, await this.options.sync.nextRunAt(connection.id));
    const linksOn = new Map<string, Awaited<ReturnType<typeof store.links.forIdentities>>>();
    const unlinksOn = new Map<string, Awaited<ReturnType<typeof store.links.unlinkedOf>>>();
    for (const connection of connections) {
      linksOn.set(connection.id, await store.links.forIdentities(connection.id, everyone));
      unlinksOn.set(connection.id, await store.links.unlinkedOf(connection.id, everyone));
    }
    for (const row of rows) {
      const chat = byId.get(row.chatId);
      const name = names.get(row.connectionId);
      if (!chat || name === undefined) continue;
      const people = peopleOf(chat);
      const links = people.flatMap((id) => {
        const link = linksOn.get(row.connectionId)?.get(id);
        return link ? [link] : [];
      });
      const unlinked = people.flatMap((id) => {
        const note = unlinksOn.get(row.connectionId)?.get(id);
        return note ? [{ identityId: id, record: note.record, at: note.unlinkedAt }] : [];
      });
      let history: ChatCrmView['history'];
      let upTo: Date | undefined;
      if (links.length > 0) {
        const asked = chat.historyFrom?.getTime();
        const from = Math.min(
          ...links.map((link) => link.backfillFrom.getTime()),
          asked ?? Number.POSITIVE_INFINITY,
        );
        const around = await store.messages.historyAround(chat.id, from);
        history = {
          from: new Date(from),
          firstSentAt: around.firstSinceAt === undefined ? undefined : new Date(around.firstSinceAt),
          olderNotSent: around.before,
          asked: asked !== undefined && asked <= from,
        };
        if (row.state === 'in_crm' && around.lastSinceAt !== undefined) upTo = new Date(around.lastSinceAt);
      }
      const sync = row.sync;
      const excluded = exclusionOf(chat, exclusions);
      // Excluded now, or excluded at the last run and lifted since (the next run sends what waits).
      const state = excluded ? 'excluded' : row.state === 'excluded' ? 'waiting' : row.state;
      result.get(chat.id)?.push({
        connection: { id: row.connectionId, name },
        state,
        reason:
          excluded ??
          (state === 'failed' || state === 'not_in_crm'
            ? (sync?.reason ??
              (state === 'not_in_crm' ? 'Nothing new within the backfill window.' : undefined))
            : undefined),
        upTo: state === 'excluded' ? undefined : upTo,
        nextRunAt: state === 'waiting' ? nextRuns.get(row.connectionId) : undefined,
        retryAt: state === 'failed' && sync?.retryAt !== undefined ? new Date(sync.retryAt) : undefined,
        lastSyncedAt: sync?.lastSyncedAt,
        history,
        unlinked,
      });
    }
    return result;
  }

  /**
   * "Send older history": every message of the chat goes to its records, whatever its age, and so does
   * history a source delivers later (the chat is backed up in full). A run is asked for at once.
   */
  async sendOlderHistory(chatId: string): Promise<void> {
    const { chat } = await this.chatPeople(chatId);
    await this.options.store.chats.sendHistoryFrom([chat.id], 0);
    for (const connection of await this.options.connections.list(this.options.workspace.id)) {
      await this.options.sync.enqueue(connection.id, 'older history asked for');
    }
  }

  /** Lets the sync match a person unlinked by hand by phone again, and asks for a run. */
  async matchAgain(
    chatId: string,
    input: { connection: string; identityId?: string | undefined },
  ): Promise<boolean> {
    const connection = await this.options.connections.get(this.options.workspace.id, input.connection);
    const person = await this.personOf(chatId, input.identityId);
    const cleared = await this.options.store.links.matchAgain(connection.id, person.id);
    if (cleared) {
      await this.touchChatsOf(connection.id, person.id);
      await this.options.sync.enqueue(connection.id, 'match by phone again');
    }
    return cleared;
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

  /**
   * The chats not in the CRM on a connection (the same definition as the chat list's "Not in CRM"),
   * most recent conversation first, each with why.
   */
  async unmatched(idOrName: string, limit = 200): Promise<UnmatchedChat[]> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const rows = await this.options.store.syncProgress.chatsInState(
      connection.id,
      this.options.workspace.id,
      'not_in_crm',
      this.windowStart(),
      limit,
    );
    const chats = await this.options.store.chats.getMany(
      this.options.workspace.id,
      rows.map((row) => row.chatId),
    );
    const found = rows.flatMap((row) => {
      const chat = chats.get(row.chatId);
      return chat ? [{ chat, sync: row.sync }] : [];
    });
    const views = await this.chatStates(found.map(({ chat }) => chat));
    return found.map(({ chat, sync }) => {
      const view = views.get(chat.id)?.find((v) => v.connection.id === connection.id);
      return {
        chat,
        reason: view?.reason ?? sync?.reason,
        checkedAt: sync?.checkedAt,
        linked: view?.history !== undefined,
        olderNotSent: view?.history?.olderNotSent ?? 0,
        unlinkedByHand: (view?.unlinked.length ?? 0) > 0,
      };
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
    supports(await this.options.sync.destination(connection.id), input.record.type);
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
      /** The record's number (E.164) when the rep typed one: the person's otherwise. */
      phone?: string | undefined;
      identityId?: string | undefined;
    },
  ): Promise<RecordLink> {
    const connection = await this.options.connections.get(this.options.workspace.id, input.connection);
    const person = await this.personOf(chatId, input.identityId);
    const phone = input.phone ?? person.phone;
    if (!phone) {
      throw new WasyncError(
        'conflict',
        'WhatsApp has not shared this person’s phone number: type the number for the record, or link one by hand.',
      );
    }
    const destination = await this.options.sync.destination(connection.id);
    supports(destination, input.type);
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
    const destination = await this.options.sync.destination(connection.id);
    return this.crm(() => destination.search(query, this.options.sync.engine.lookupContext()));
  }

  async card(idOrName: string, record: { type: RecordType; id: string }): Promise<RecordCard> {
    const connection = await this.options.connections.get(this.options.workspace.id, idOrName);
    const destination = await this.options.sync.destination(connection.id);
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
      backfillFrom: Date.now() - this.options.sync.backfillDays * 86_400_000,
    });
    await this.touchChatsOf(connectionId, person.id);
    await this.options.sync.enqueue(connectionId, 'record linked');
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

  /** A CRM's refusal reaches the client as crm_refused (or crm_duplicates) with the CRM's own code. */
  private crm<T>(call: () => Promise<T>): Promise<T> {
    return asApiError(call);
  }
}

function identityView(identity: Identity | undefined, id: string): LinkedRecordView['identity'] {
  return { id, phone: identity?.phone, name: identity?.displayName };
}

/** A lead where the connection's CRM (or its mode) has none is refused before the CRM is asked. */
function supports(destination: Destination, type: RecordType): void {
  if (type === 'lead' && !destination.capabilities.leads) {
    throw new WasyncError('crm_unsupported', 'This CRM has no leads: link or create a contact.', {
      capability: 'leads',
    });
  }
}
