import type { Kysely } from 'kysely';
import type { AccountVisibility } from '../../core/model.js';
import type { Database } from '../schema.js';

/**
 * Who a request reads chats for. `everything`: an admin while the workspace lets admins read every
 * number (the default), or the operator's token before anyone has signed up; otherwise `userId` reads
 * the team's numbers, the numbers they own and the numbers shared with them.
 */
export interface Viewer {
  userId: string | undefined;
  everything: boolean;
}

/** A person as an account's access shows them. */
export interface AccountPerson {
  id: string;
  name: string;
  email: string;
  /** Removed from the team: kept on the account until someone changes it, but reads nothing. */
  removed: boolean;
}

export interface AccountAccess {
  owner: AccountPerson | undefined;
  visibility: AccountVisibility;
  sharedWith: AccountPerson[];
}

export interface AccessChange {
  /** A person of the workspace on the team; null gives the number to no one (only admins read it). */
  ownerId?: string | null | undefined;
  visibility?: AccountVisibility | undefined;
  /** The whole list of people it is shared with (the owner is left out of it). */
  sharedWith?: readonly string[] | undefined;
}

/** Which WhatsApp numbers each person reads, and the owner and sharers of each number. */
export class AccountAccessRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The accounts whose chats the viewer reads, or 'all'. Read from the store on every call, never
   * cached: a change of owner, sharing or role holds from the next request on.
   */
  async readableAccountIds(workspaceId: string, viewer: Viewer): Promise<ReadonlySet<string> | 'all'> {
    if (viewer.everything) return 'all';
    const { userId } = viewer;
    const rows = await this.db
      .selectFrom('accounts')
      .select('accounts.id')
      .where('accounts.workspace_id', '=', workspaceId)
      .where((eb) =>
        eb.or([
          eb('accounts.visibility', '=', 'team'),
          ...(userId
            ? [
                eb('accounts.owner_user_id', '=', userId),
                eb.exists(
                  eb
                    .selectFrom('account_shares')
                    .select('account_shares.account_id')
                    .whereRef('account_shares.account_id', '=', 'accounts.id')
                    .where('account_shares.user_id', '=', userId),
                ),
              ]
            : []),
        ]),
      )
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  /** Of these chats, the ones in the given accounts. */
  async chatsIn(accountIds: ReadonlySet<string>, chatIds: readonly string[]): Promise<Set<string>> {
    if (accountIds.size === 0 || chatIds.length === 0) return new Set();
    const found = new Set<string>();
    for (let i = 0; i < chatIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('chats')
        .select('id')
        .where('id', 'in', chatIds.slice(i, i + CHUNK))
        .where('account_id', 'in', [...accountIds])
        .execute();
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  /** Of these people, the ones in a chat (direct or group) of the given accounts. */
  async identitiesIn(accountIds: ReadonlySet<string>, identityIds: readonly string[]): Promise<Set<string>> {
    if (accountIds.size === 0 || identityIds.length === 0) return new Set();
    const accounts = [...accountIds];
    const found = new Set<string>();
    for (let i = 0; i < identityIds.length; i += CHUNK) {
      const chunk = identityIds.slice(i, i + CHUNK);
      const direct = await this.db
        .selectFrom('chats')
        .select('partner_identity_id as id')
        .where('partner_identity_id', 'in', chunk)
        .where('account_id', 'in', accounts)
        .execute();
      const groups = await this.db
        .selectFrom('chat_participants')
        .innerJoin('chats', 'chats.id', 'chat_participants.chat_id')
        .select('chat_participants.identity_id as id')
        .where('chat_participants.identity_id', 'in', chunk)
        .where('chats.account_id', 'in', accounts)
        .execute();
      for (const row of [...direct, ...groups]) if (row.id) found.add(row.id);
    }
    return found;
  }

  /** Owner, visibility and sharers of each account. */
  async of(accountIds: readonly string[]): Promise<Map<string, AccountAccess>> {
    const result = new Map<string, AccountAccess>();
    if (accountIds.length === 0) return result;
    const accounts = await this.db
      .selectFrom('accounts')
      .leftJoin('users', 'users.id', 'accounts.owner_user_id')
      .select([
        'accounts.id',
        'accounts.visibility',
        'users.id as user_id',
        'users.name',
        'users.email',
        'users.removed_at',
      ])
      .where('accounts.id', 'in', accountIds)
      .execute();
    for (const row of accounts) {
      result.set(row.id, {
        owner: row.user_id ? person(row as PersonRow & { user_id: string }) : undefined,
        visibility: row.visibility as AccountVisibility,
        sharedWith: [],
      });
    }
    const shares = await this.db
      .selectFrom('account_shares')
      .innerJoin('users', 'users.id', 'account_shares.user_id')
      .select([
        'account_shares.account_id',
        'users.id as user_id',
        'users.name',
        'users.email',
        'users.removed_at',
      ])
      .where('account_shares.account_id', 'in', accountIds)
      .orderBy('users.name')
      .execute();
    for (const row of shares) result.get(row.account_id)?.sharedWith.push(person(row));
    return result;
  }

  /**
   * Changes an account's owner, visibility or sharers at once. The people named must be on the
   * workspace's team (checked by the caller); the owner is never listed as a sharer.
   */
  async set(
    accountId: string,
    change: AccessChange,
    by: string | undefined,
    now = Date.now(),
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const set: { owner_user_id?: string | null; visibility?: AccountVisibility } = {};
      if (change.ownerId !== undefined) set.owner_user_id = change.ownerId;
      if (change.visibility !== undefined) set.visibility = change.visibility;
      if (Object.keys(set).length > 0)
        await trx.updateTable('accounts').set(set).where('id', '=', accountId).execute();
      const owner = await trx
        .selectFrom('accounts')
        .select('owner_user_id')
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      if (change.sharedWith !== undefined) {
        const wanted = new Set(change.sharedWith);
        const existing = await trx
          .selectFrom('account_shares')
          .select('user_id')
          .where('account_id', '=', accountId)
          .execute();
        const gone = existing.map((r) => r.user_id).filter((id) => !wanted.has(id));
        if (gone.length > 0)
          await trx
            .deleteFrom('account_shares')
            .where('account_id', '=', accountId)
            .where('user_id', 'in', gone)
            .execute();
        const have = new Set(existing.map((r) => r.user_id));
        const added = [...wanted].filter((id) => !have.has(id));
        if (added.length > 0)
          await trx
            .insertInto('account_shares')
            .values(
              added.map((userId) => ({
                account_id: accountId,
                user_id: userId,
                shared_by: by ?? null,
                shared_at: now,
              })),
            )
            .execute();
      }
      // The owner reads the number as its owner; a share beside that would outlive a change of owner.
      if (owner.owner_user_id !== null)
        await trx
          .deleteFrom('account_shares')
          .where('account_id', '=', accountId)
          .where('user_id', '=', owner.owner_user_id)
          .execute();
    });
  }
}

/** Ids per `in (...)` list, well under SQLite's and Postgres's bound-parameter limits. */
const CHUNK = 500;

type PersonRow = { user_id: string; name: string | null; email: string | null; removed_at: number | null };

function person(row: PersonRow): AccountPerson {
  return { id: row.user_id, name: row.name ?? '', email: row.email ?? '', removed: row.removed_at !== null };
}
