import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Role } from '../../core/model.js';
import type { Database, InviteTable, UserTable } from '../schema.js';
import { hashToken } from './tokens.js';

/** Someone who signs in to the workspace. The password hash never leaves the repository. */
export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
  lastSignInAt: Date | undefined;
}

export interface Invite {
  id: string;
  email: string;
  role: Role;
  invitedBy: string | undefined;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | undefined;
  revokedAt: Date | undefined;
}

/** How long an invite link stays good. */
export const INVITE_TTL_MS = 7 * 24 * 3_600_000;

/** E-mail addresses compare without case and surrounding spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Users and the invites that bring new ones in. */
export class PeopleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Users who have not been removed. */
  async count(workspaceId: string): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('removed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Creates the first user of a workspace, an admin, only while it has none: two people racing on the
   * first-run page cannot both become admin. Undefined when a user exists already.
   */
  async createFirstAdmin(input: {
    workspaceId: string;
    email: string;
    name: string;
    passwordHash: string;
  }): Promise<User | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // Serializes first sign-ups: on Postgres a row lock on the workspace; SQLite's write lock is one.
      await trx
        .updateTable('workspaces')
        .set((eb) => ({ name: eb.ref('name') }))
        .where('id', '=', input.workspaceId)
        .execute();
      const existing = await trx
        .selectFrom('users')
        .select('id')
        .where('workspace_id', '=', input.workspaceId)
        .limit(1)
        .executeTakeFirst();
      if (existing) return undefined;
      const admin = await this.insert(trx, { ...input, role: 'admin' });
      // The first-start token was made before anyone could own it: it is the first admin's now.
      await trx
        .updateTable('api_tokens')
        .set({ user_id: admin.id })
        .where('workspace_id', '=', input.workspaceId)
        .where('user_id', 'is', null)
        .execute();
      return admin;
    });
  }

  async findByEmail(email: string): Promise<(User & { passwordHash: string | undefined }) | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', normalizeEmail(email))
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    return row && { ...toUser(row), passwordHash: row.password_hash ?? undefined };
  }

  async get(workspaceId: string, userId: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', userId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async list(workspaceId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('removed_at', 'is', null)
      .orderBy('created_at')
      .execute();
    return rows.map(toUser);
  }

  async recordSignIn(userId: string, passwordHash?: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ last_sign_in_at: Date.now(), ...(passwordHash ? { password_hash: passwordHash } : {}) })
      .where('id', '=', userId)
      .execute();
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', userId)
      .execute();
  }

  /** Changes a role, refusing to leave the workspace without an admin. */
  async setRole(
    workspaceId: string,
    userId: string,
    role: Role,
  ): Promise<'changed' | 'not_found' | 'last_admin'> {
    return this.db.transaction().execute(async (trx) => {
      const user = await this.activeRole(trx, workspaceId, userId);
      if (!user) return 'not_found';
      if (user.role === 'admin' && role !== 'admin' && (await this.admins(trx, workspaceId)) <= 1)
        return 'last_admin';
      await trx.updateTable('users').set({ role }).where('id', '=', userId).execute();
      return 'changed';
    });
  }

  /**
   * Removes a user: they can no longer sign in, their sessions end and their API tokens are revoked;
   * what they did stays. The last admin cannot be removed.
   */
  async remove(workspaceId: string, userId: string): Promise<'removed' | 'not_found' | 'last_admin'> {
    return this.db.transaction().execute(async (trx) => {
      const user = await this.activeRole(trx, workspaceId, userId);
      if (!user) return 'not_found';
      if (user.role === 'admin' && (await this.admins(trx, workspaceId)) <= 1) return 'last_admin';
      const now = Date.now();
      await trx.updateTable('users').set({ removed_at: now }).where('id', '=', userId).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await trx
        .updateTable('api_tokens')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
      return 'removed';
    });
  }

  /** Creates an invite and returns the token of its link, which is never retrievable again. */
  async invite(input: {
    workspaceId: string;
    email: string;
    role: Role;
    invitedBy: string | undefined;
    now?: number;
  }): Promise<{ token: string; invite: Invite }> {
    const now = input.now ?? Date.now();
    const token = `wsi_${randomBytes(24).toString('base64url')}`;
    const row: InviteTable = {
      id: newId('inv'),
      workspace_id: input.workspaceId,
      token_hash: hashToken(token),
      email: normalizeEmail(input.email),
      role: input.role,
      invited_by: input.invitedBy ?? null,
      created_at: now,
      expires_at: now + INVITE_TTL_MS,
      accepted_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('invites').values(row).execute();
    return { token, invite: toInvite(row) };
  }

  /** The invite a link's token opens, while it is neither used, revoked nor expired. */
  async openInvite(token: string, now = Date.now()): Promise<(Invite & { workspaceId: string }) | undefined> {
    const row = await this.db
      .selectFrom('invites')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && { ...toInvite(row), workspaceId: row.workspace_id };
  }

  /**
   * Turns an open invite into a user with the invite's e-mail and role, once: a second use of the
   * link, or an e-mail that already has an account, gives undefined.
   */
  async acceptInvite(input: {
    token: string;
    name: string;
    passwordHash: string;
  }): Promise<User | 'used' | 'email_taken'> {
    return this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const row = await trx
        .selectFrom('invites')
        .selectAll()
        .where('token_hash', '=', hashToken(input.token))
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return 'used';
      const claimed = await trx
        .updateTable('invites')
        .set({ accepted_at: now })
        .where('id', '=', row.id)
        .where('accepted_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return 'used';
      const taken = await trx
        .selectFrom('users')
        .select('id')
        .where('email', '=', row.email)
        .executeTakeFirst();
      if (taken) return 'email_taken';
      return this.insert(trx, {
        workspaceId: row.workspace_id,
        email: row.email,
        name: input.name,
        passwordHash: input.passwordHash,
        role: row.role as Role,
      });
    });
  }

  async listInvites(workspaceId: string, now = Date.now()): Promise<Invite[]> {
    const rows = await this.db
      .selectFrom('invites')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('created_at')
      .execute();
    return rows.map(toInvite);
  }

  async revokeInvite(workspaceId: string, inviteId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('invites')
      .set({ revoked_at: Date.now() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', inviteId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The role of a user of the workspace who was not removed. */
  private activeRole(db: Kysely<Database>, workspaceId: string, userId: string) {
    return db
      .selectFrom('users')
      .select(['role'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', userId)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
  }

  private async admins(db: Kysely<Database>, workspaceId: string): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', 'admin')
      .where('removed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async insert(
    db: Kysely<Database>,
    input: { workspaceId: string; email: string; name: string; passwordHash: string; role: Role },
  ): Promise<User> {
    const row: UserTable = {
      id: newId('usr'),
      workspace_id: input.workspaceId,
      email: normalizeEmail(input.email),
      name: input.name.trim(),
      role: input.role,
      password_hash: input.passwordHash,
      created_at: Date.now(),
      last_sign_in_at: null,
      removed_at: null,
    };
    await db.insertInto('users').values(row).execute();
    return toUser(row);
  }
}

function toUser(row: UserTable): User {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    createdAt: new Date(Number(row.created_at)),
    lastSignInAt: row.last_sign_in_at === null ? undefined : new Date(Number(row.last_sign_in_at)),
  };
}

function toInvite(row: InviteTable): Invite {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Role,
    invitedBy: row.invited_by ?? undefined,
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    acceptedAt: row.accepted_at === null ? undefined : new Date(Number(row.accepted_at)),
    revokedAt: row.revoked_at === null ? undefined : new Date(Number(row.revoked_at)),
  };
}
