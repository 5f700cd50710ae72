import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Role } from '../../core/model.js';
import type { Database } from '../schema.js';
import { hashToken } from './tokens.js';

/** A browser sign-in: who it is, and the CSRF token its pages must send with every change. */
export interface SessionGrant {
  sessionId: string;
  userId: string;
  workspaceId: string;
  role: Role;
  name: string;
  email: string;
  csrfToken: string;
  expiresAt: number;
}

/** A session ends after this long without use... */
export const SESSION_IDLE_MS = 7 * 24 * 3_600_000;
/** ...and after this long whatever happens. */
export const SESSION_MAX_MS = 30 * 24 * 3_600_000;
/** Use is recorded (and the idle deadline moved) at most this often per session. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Sessions are 256-bit random cookies; only their SHA-256 is stored, so a copy of the database opens
 * no session. The CSRF token is stored as it is: it is no secret from the signed-in page.
 */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(
    userId: string,
    userAgent: string | undefined,
    now = Date.now(),
  ): Promise<{ token: string; csrfToken: string; expiresAt: number }> {
    const token = `wss_${randomBytes(32).toString('base64url')}`;
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = now + SESSION_IDLE_MS;
    await this.db
      .insertInto('sessions')
      .values({
        id: newId('ses'),
        token_hash: hashToken(token),
        user_id: userId,
        csrf_token: csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        user_agent: userAgent?.slice(0, 256) ?? null,
      })
      .execute();
    return { token, csrfToken, expiresAt };
  }

  /**
   * The grant of a live session of a user not removed, or undefined. Use moves the idle deadline
   * forward (at most once a minute), never past the session's maximum age.
   */
  async verify(token: string, now = Date.now()): Promise<SessionGrant | undefined> {
    if (!token.startsWith('wss_')) return undefined;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id',
        'sessions.user_id',
        'sessions.csrf_token',
        'sessions.created_at',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'users.workspace_id',
        'users.role',
        'users.name',
        'users.email',
      ])
      .where('sessions.token_hash', '=', hashToken(token))
      .where('users.removed_at', 'is', null)
      .executeTakeFirst();
    if (!row || Number(row.expires_at) <= now) return undefined;
    let expiresAt = Number(row.expires_at);
    if (now - Number(row.last_seen_at) >= TOUCH_INTERVAL_MS) {
      expiresAt = Math.min(now + SESSION_IDLE_MS, Number(row.created_at) + SESSION_MAX_MS);
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: now, expires_at: expiresAt })
        .where('id', '=', row.id)
        .execute();
    }
    return {
      sessionId: row.id,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      role: row.role as Role,
      name: row.name,
      email: row.email,
      csrfToken: row.csrf_token,
      expiresAt,
    };
  }

  async end(sessionId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  }

  /** Ends every session of a user (a password change ends the others too: pass the one to keep). */
  async endAllOf(userId: string, except?: string): Promise<void> {
    let query = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (except) query = query.where('id', '!=', except);
    await query.execute();
  }

  /** Deletes sessions past their deadline. */
  async prune(now = Date.now()): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
