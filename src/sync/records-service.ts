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
import type { RecordLink } from '../store/repositories/record-links.js';
import type { ChatSyncState } from '../store/repositories/sync-progress.js';
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
  checkedAt: Date;
}

export class RecordsService {
  constructor(private readonly options: RecordsServiceOptions) {}

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
    const destination = await this.options.sync.destination(connection.id);
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
