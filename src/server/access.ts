import type { FastifyRequest } from 'fastify';
import { WasyncError } from '../core/errors.js';
import type { Account, Chat } from '../core/model.js';
import type { Services } from '../services.js';
import type { AccountAccess, Viewer } from '../store/repositories/account-access.js';
import { type Grant, grantOf } from './auth.js';

/**
 * Each rep's chats are theirs: a request reads and acts on the chats of the WhatsApp numbers its
 * person owns, is shared with, or the team shares; admins read every number unless the workspace
 * narrows them. Every route that shows or changes chats, messages, media or people goes through
 * here, and what a request may not read answers 404, as if it did not exist.
 */
export class ChatAccess {
  constructor(private readonly services: Pick<Services, 'store'>) {}

  async viewerOf(grant: Grant): Promise<Viewer> {
    if (grant.role !== 'admin') return { userId: grant.userId, everything: false };
    // The operator's token before the first admin signs up: the install has no one else yet.
    if (grant.userId === undefined) return { userId: undefined, everything: true };
    const settings = await this.services.store.workspaces.settings(grant.workspaceId);
    return { userId: grant.userId, everything: settings.adminsSeeAll };
  }

  /** The accounts whose chats this request reads, or 'all'. */
  async readable(request: FastifyRequest): Promise<ReadonlySet<string> | 'all'> {
    const grant = grantOf(request);
    return this.services.store.access.readableAccountIds(grant.workspaceId, await this.viewerOf(grant));
  }

  /** Whether the request reads this account's chats. */
  async canRead(request: FastifyRequest, accountId: string): Promise<boolean> {
    const readable = await this.readable(request);
    return readable === 'all' || readable.has(accountId);
  }

  /** An account whose chats the request reads and acts on (ingest, imports, pairing), else 404. */
  async account(request: FastifyRequest, accountId: string): Promise<Account> {
    const { workspaceId } = grantOf(request);
    const account = await this.services.store.accounts.get(workspaceId, accountId);
    if (!account || !(await this.canRead(request, account.id)))
      throw new WasyncError('not_found', `No account ${accountId}.`);
    return account;
  }

  /** Of these chats, the ones the request reads. */
  async readableChats(
    request: FastifyRequest,
    chatIds: readonly string[],
  ): Promise<(chatId: string) => boolean> {
    const readable = await this.readable(request);
    if (readable === 'all') return () => true;
    const found = await this.services.store.access.chatsIn(readable, chatIds);
    return (chatId) => found.has(chatId);
  }

  /** Of these people, the ones the request reads: in a chat of a number it reads. */
  async readablePeople(
    request: FastifyRequest,
    identityIds: readonly string[],
  ): Promise<(identityId: string) => boolean> {
    const readable = await this.readable(request);
    if (readable === 'all') return () => true;
    const found = await this.services.store.access.identitiesIn(readable, identityIds);
    return (identityId) => found.has(identityId);
  }

  /** A chat the request reads, else 404. */
  async chat(request: FastifyRequest, chatId: string): Promise<Chat> {
    const { workspaceId } = grantOf(request);
    const chat = await this.services.store.chats.get(workspaceId, chatId);
    if (!chat || !(await this.canRead(request, chat.accountId)))
      throw new WasyncError('not_found', `No chat ${chatId}.`);
    return chat;
  }

  /** Each account's owner, visibility and sharers, and why the request reads it (or that it does not). */
  async views(
    request: FastifyRequest,
    accounts: readonly Account[],
  ): Promise<Map<string, AccountAccessView>> {
    const grant = grantOf(request);
    const [all, readable] = await Promise.all([
      this.services.store.access.of(accounts.map((a) => a.id)),
      this.readable(request),
    ]);
    const views = new Map<string, AccountAccessView>();
    for (const account of accounts) {
      const access = all.get(account.id);
      if (!access) continue;
      const reads = readable === 'all' || readable.has(account.id);
      const yours: AccountAccessView['yours'] = !reads
        ? 'none'
        : grant.userId !== undefined && access.owner?.id === grant.userId
          ? 'owner'
          : access.sharedWith.some((p) => p.id === grant.userId)
            ? 'shared'
            : access.visibility === 'team'
              ? 'team'
              : 'admin';
      views.set(account.id, { ...access, yours, canManage: this.mayManage(request, account) });
    }
    return views;
  }

  /**
   * Whether the request may change who reads an account: its owner, or an admin (also one the
   * workspace narrows, who manages numbers without reading their chats).
   */
  mayManage(request: FastifyRequest, account: Account): boolean {
    const grant = grantOf(request);
    return grant.role === 'admin' || (grant.userId !== undefined && grant.userId === account.ownerId);
  }
}

export interface AccountAccessView extends AccountAccess {
  /** Why the request reads the number's chats; `none` for an admin the workspace narrows. */
  yours: 'owner' | 'shared' | 'team' | 'admin' | 'none';
  /** Whether the request may change the owner, visibility and sharers. */
  canManage: boolean;
}
