import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** The sealing context of an OAuth app's client secret. */
export const oauthAppContext = (workspaceId: string, kind: string): string =>
  `oauth-app:${workspaceId}:${kind}`;

/** The sealing context of an authorization under way. */
export const oauthRequestContext = (stateHash: string): string => `oauth-request:${stateHash}`;

export interface StoredOAuthApp {
  clientId: string;
  /** The client secret, still sealed. */
  sealedSecret: string;
  updatedAt: Date;
}

export interface StoredOAuthRequest {
  stateHash: string;
  workspaceId: string;
  kind: string;
  sessionId: string;
  userId: string;
  sealed: string;
  expiresAt: number;
}

/** OAuth apps per workspace and CRM kind, and the authorizations under way. */
export class OAuthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async app(workspaceId: string, kind: string): Promise<StoredOAuthApp | undefined> {
    const row = await this.db
      .selectFrom('oauth_apps')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return (
      row && {
        clientId: row.client_id,
        sealedSecret: row.credentials,
        updatedAt: new Date(Number(row.updated_at)),
      }
    );
  }

  async putApp(workspaceId: string, kind: string, clientId: string, sealedSecret: string): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('oauth_apps')
      .values({
        workspace_id: workspaceId,
        kind,
        client_id: clientId,
        credentials: sealedSecret,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'kind']).doUpdateSet({
          client_id: clientId,
          credentials: sealedSecret,
          updated_at: now,
        }),
      )
      .execute();
  }

  /** Removes the app; answers whether there was one. */
  async deleteApp(workspaceId: string, kind: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('oauth_apps')
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Stores an authorization under way, forgetting those long expired. */
  async addRequest(request: StoredOAuthRequest, now = Date.now()): Promise<void> {
    await this.db.deleteFrom('oauth_requests').where('expires_at', '<=', now).execute();
    await this.db
      .insertInto('oauth_requests')
      .values({
        state_hash: request.stateHash,
        workspace_id: request.workspaceId,
        kind: request.kind,
        session_id: request.sessionId,
        user_id: request.userId,
        sealed: request.sealed,
        created_at: now,
        expires_at: request.expiresAt,
      })
      .execute();
  }

  /**
   * Takes the authorization of this state for this session: it is deleted as it is read, so a state
   * serves once even when two callbacks race. One started in another session is left alone (and not
   * answered): a state that leaked to someone else's browser must not spend the admin's.
   */
  async takeRequest(
    stateHash: string,
    kind: string,
    sessionId: string,
  ): Promise<StoredOAuthRequest | undefined> {
    const row = await this.db
      .deleteFrom('oauth_requests')
      .where('state_hash', '=', stateHash)
      .where('kind', '=', kind)
      .where('session_id', '=', sessionId)
      .returningAll()
      .executeTakeFirst();
    return (
      row && {
        stateHash: row.state_hash,
        workspaceId: row.workspace_id,
        kind: row.kind,
        sessionId: row.session_id,
        userId: row.user_id,
        sealed: row.sealed,
        expiresAt: Number(row.expires_at),
      }
    );
  }
}
