import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * OAuth sign-in at a CRM: the app (client id, sealed client secret) an admin registered once per
 * workspace and CRM kind, and the authorizations under way (one row per "Connect" click, found by
 * the hash of its `state`, bound to the admin's session, gone once used or expired).
 */
export function oauth(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oauth_apps')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        // The client secret, sealed with the secret key (context: oauthAppContext).
        .addColumn('credentials', 'text', (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('oauth_apps_pk', ['workspace_id', 'kind'])
        .execute();
      await db.schema
        .createTable('oauth_requests')
        // SHA-256 of the state: the state itself travels through the browser and is never stored.
        .addColumn('state_hash', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        // The PKCE code verifier and what the admin asked for (connection name, login URL), sealed.
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('oauth_requests_expiry')
        .on('oauth_requests')
        .column('expires_at')
        .execute();
    },
  };
}
