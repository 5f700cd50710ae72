import type { Insertable, Kysely, Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import {
  type Account,
  type AccountVisibility,
  defaultVisibility,
  type SourceKind,
} from '../../core/model.js';
import type { AccountTable, Database } from '../schema.js';

export interface AccountStats {
  chats: number;
  messages: number;
}

export class AccountRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates an account; returns undefined when the workspace already has this number. */
  async create(input: {
    workspaceId: string;
    phone: string;
    sourceKind: SourceKind;
    displayName: string | undefined;
    /** Who it belongs to: the person who connects it; none when the operator does (the CLI). */
    ownerId?: string | undefined;
    /** The default of its kind when not given (see defaultVisibility). */
    visibility?: AccountVisibility | undefined;
  }): Promise<Account | undefined> {
    const row = {
      id: newId('acc'),
      workspace_id: input.workspaceId,
      phone_e164: input.phone,
      source_kind: input.sourceKind,
      display_name: input.displayName ?? null,
      settings: '{}',
      created_at: Date.now(),
      last_message_at: null,
      owner_user_id: input.ownerId ?? null,
      visibility: input.visibility ?? defaultVisibility(input.sourceKind),
    } satisfies Insertable<AccountTable>;
    const inserted = await this.db
      .insertInto('accounts')
      .values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'phone_e164']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted ? toAccount({ ...row, settings: {} }) : undefined;
  }

  /**
   * The workspace's account for this number, made with `sourceKind` when it has none (the CLI's import
   * and link-device take a number, not an id). Two callers at once both get the one account.
   */
  async findOrCreate(
    workspaceId: string,
    phone: string,
    sourceKind: SourceKind,
    ownerId?: string | undefined,
  ): Promise<Account> {
    const account =
      (await this.findByPhone(workspaceId, phone)) ??
      (await this.create({ workspaceId, phone, sourceKind, displayName: undefined, ownerId })) ??
      (await this.findByPhone(workspaceId, phone));
    if (!account) throw new Error(`could not create the account ${phone}`);
    return account;
  }

  async get(workspaceId: string, accountId: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', accountId)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  /** An account of any workspace, for background work that starts from the account alone. */
  async byId(accountId: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async findByPhone(workspaceId: string, phone: string): Promise<Account | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('phone_e164', '=', phone)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async list(workspaceId: string): Promise<Account[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at')
      .execute();
    return rows.map(toAccount);
  }

  /** Chats and messages stored per account, for `wasync status` and the accounts API. */
  async stats(workspaceId: string): Promise<Map<string, AccountStats>> {
    const chats = await this.db
      .selectFrom('chats')
      .innerJoin('accounts', 'accounts.id', 'chats.account_id')
      .select(['chats.account_id as accountId', (eb) => eb.fn.countAll<number>().as('n')])
      .where('accounts.workspace_id', '=', workspaceId)
      .groupBy('chats.account_id')
      .execute();
    const messages = await this.db
      .selectFrom('messages')
      .innerJoin('accounts', 'accounts.id', 'messages.account_id')
      .select(['messages.account_id as accountId', (eb) => eb.fn.countAll<number>().as('n')])
      .where('accounts.workspace_id', '=', workspaceId)
      .groupBy('messages.account_id')
      .execute();
    const stats = new Map<string, AccountStats>();
    const entry = (id: string) => {
      const found = stats.get(id) ?? { chats: 0, messages: 0 };
      stats.set(id, found);
      return found;
    };
    for (const row of chats) entry(row.accountId).chats = Number(row.n);
    for (const row of messages) entry(row.accountId).messages = Number(row.n);
    return stats;
  }
}

export function toAccount(row: Selectable<AccountTable>): Account {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    phone: row.phone_e164,
    sourceKind: row.source_kind as SourceKind,
    displayName: row.display_name ?? undefined,
    createdAt: new Date(row.created_at),
    lastMessageAt: row.last_message_at === null ? undefined : new Date(row.last_message_at),
    ownerId: row.owner_user_id ?? undefined,
    visibility: row.visibility as AccountVisibility,
  };
}
