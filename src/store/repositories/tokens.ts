import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Role } from '../../core/model.js';
import type { ApiTokenTable, Database } from '../schema.js';

/** What a valid bearer token grants. */
export interface TokenGrant {
  tokenId: string;
  workspaceId: string;
  /** The lesser of the token's own role and its owner's role now. */
  role: Role;
  name: string;
  /** Its owner; undefined only for the first-start token while the workspace has no user yet. */
  userId: string | undefined;
}

/** The person a token belongs to. */
export interface TokenOwner {
  id: string;
  name: string;
  email: string;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  /** The role it was made with; it acts with the lesser of this and its owner's role. */
  role: Role;
  owner: TokenOwner | undefined;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
  revokedAt: Date | undefined;
}

const TOKEN_PREFIX = 'wsk_';
const TOUCH_INTERVAL_MS = 60_000;

/**
 * API tokens are 256-bit random strings shown once; only their SHA-256 is stored. A fast hash is
 * right here (unlike passwords): the secret has full entropy, so there is nothing to brute-force.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenRepository {
  /** When this process last recorded each token's use. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly db: Kysely<Database>) {}

  async count(workspaceId: string): Promise<number> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Creates a token and returns its secret, which is never retrievable again. A token made by the
   * server's operator (first start, `wasync token create`) names no user: it belongs to the
   * workspace's first admin, or, while there is none yet, to the first admin once they sign up.
   */
  async create(input: {
    workspaceId: string;
    name: string;
    role: Role;
    /** The person it belongs to: who made it, or the owner of the token it was made with. */
    userId?: string | undefined;
  }): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const ownerId = input.userId ?? (await this.firstAdmin(input.workspaceId));
    const row: ApiTokenTable = {
      id: newId('tok'),
      workspace_id: input.workspaceId,
      user_id: ownerId ?? null,
      name: input.name,
      role: input.role,
      token_hash: hashToken(token),
      token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    const owner = ownerId ? await this.owner(ownerId) : undefined;
    return { token, info: toInfo({ ...row, ...ownerColumns(owner) }) };
  }

  /**
   * The grant of an unrevoked token whose owner is still on the team, or undefined. Read from the
   * store on every request, never cached: a removal or demotion holds from the next request on.
   */
  async verify(token: string): Promise<TokenGrant | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.db
      .selectFrom('api_tokens')
      .leftJoin('users', 'users.id', 'api_tokens.user_id')
      .select([
        'api_tokens.id',
        'api_tokens.workspace_id',
        'api_tokens.role',
        'api_tokens.name',
        'api_tokens.user_id',
        'users.role as owner_role',
        'users.removed_at as owner_removed_at',
      ])
      .where('api_tokens.token_hash', '=', hashToken(token))
      .where('api_tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const ownerRole = row.owner_role as Role | null;
    if (row.user_id !== null && (ownerRole === null || row.owner_removed_at !== null)) return undefined;
    const role = ownerRole === null ? (row.role as Role) : lesserRole(row.role as Role, ownerRole);
    return {
      tokenId: row.id,
      workspaceId: row.workspace_id,
      role,
      name: row.name,
      userId: row.user_id ?? undefined,
    };
  }

  /**
   * Records use at most once a minute per token. The minute is checked in memory first: an UPDATE
   * that matches no row still takes SQLite's write lock, which authentication must not do on every
   * request (it would queue behind an import writing in another process).
   */
  async touch(tokenId: string, now = Date.now()): Promise<void> {
    const last = this.touched.get(tokenId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(tokenId, now);
    await this.db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', tokenId)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now - TOUCH_INTERVAL_MS)]),
      )
      .execute();
  }

  /** The workspace's tokens, revoked ones included; with `userId`, only that person's. */
  async list(workspaceId: string, filter: { userId?: string } = {}): Promise<ApiTokenInfo[]> {
    let query = this.db
      .selectFrom('api_tokens')
      .leftJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select(['users.name as owner_name', 'users.email as owner_email'])
      .where('api_tokens.workspace_id', '=', workspaceId);
    if (filter.userId !== undefined) query = query.where('api_tokens.user_id', '=', filter.userId);
    const rows = await query.orderBy('api_tokens.created_at').orderBy('api_tokens.id').execute();
    return rows.map(toInfo);
  }

  /** Revokes an active token; with `userId`, only if it is that person's. False when none matched. */
  async revoke(workspaceId: string, tokenId: string, filter: { userId?: string } = {}): Promise<boolean> {
    let query = this.db
      .updateTable('api_tokens')
      .set({ revoked_at: Date.now() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The workspace's first admin still on the team, who answers for the operator's tokens. */
  private async firstAdmin(workspaceId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', 'admin')
      .where('removed_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row?.id;
  }

  private async owner(userId: string): Promise<TokenOwner | undefined> {
    return this.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('id', '=', userId)
      .executeTakeFirst();
  }
}

/** A token never does more than its owner may: admin only when both say admin. */
export function lesserRole(a: Role, b: Role): Role {
  return a === 'admin' && b === 'admin' ? 'admin' : 'member';
}

interface OwnerColumns {
  owner_name: string | null;
  owner_email: string | null;
}

function ownerColumns(owner: TokenOwner | undefined): OwnerColumns {
  return { owner_name: owner?.name ?? null, owner_email: owner?.email ?? null };
}

function toInfo(row: ApiTokenTable & OwnerColumns): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    owner:
      row.user_id !== null && row.owner_name !== null && row.owner_email !== null
        ? { id: row.user_id, name: row.owner_name, email: row.owner_email }
        : undefined,
    prefix: row.token_prefix,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? undefined : new Date(row.last_used_at),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
  };
}
