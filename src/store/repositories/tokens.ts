import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Role } from '../../core/model.js';
import type { ApiTokenTable, Database } from '../schema.js';

/** What a valid bearer token grants. */
export interface TokenGrant {
  tokenId: string;
  workspaceId: string;
  role: Role;
  name: string;
}

export interface ApiTokenInfo {
  id: string;
  name: string;
  role: Role;
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

  /** Creates a token and returns its secret, which is never retrievable again. */
  async create(input: {
    workspaceId: string;
    name: string;
    role: Role;
    /** The person it belongs to, when a signed-in person made it. */
    userId?: string | undefined;
  }): Promise<{ token: string; info: ApiTokenInfo }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row: ApiTokenTable = {
      id: newId('tok'),
      workspace_id: input.workspaceId,
      user_id: input.userId ?? null,
      name: input.name,
      role: input.role,
      token_hash: hashToken(token),
      token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    return { token, info: toInfo(row) };
  }

  /** The grant of an unrevoked token, or undefined. */
  async verify(token: string): Promise<TokenGrant | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'workspace_id', 'role', 'name'])
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    return { tokenId: row.id, workspaceId: row.workspace_id, role: row.role as Role, name: row.name };
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

  async list(workspaceId: string): Promise<ApiTokenInfo[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('created_at')
      .execute();
    return rows.map(toInfo);
  }

  async revoke(workspaceId: string, tokenId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: Date.now() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function toInfo(row: ApiTokenTable): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.token_prefix,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? undefined : new Date(row.last_used_at),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
  };
}
