import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/** Column types that differ between the dialects; everything else is plain `text` / `integer`. */
function types(dialect: DialectName): Record<'time' | 'json' | 'count', ColumnDataType> {
  return dialect === 'postgres'
    ? { time: 'bigint', json: 'jsonb', count: 'integer' }
    : { time: 'integer', json: 'text', count: 'integer' };
}

export function foundation(dialect: DialectName): MigrationSet[string] {
  const t = types(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('default_region', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('user_id', 'text', (c) => c.references('users.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('token_prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('last_used_at', t.time)
        .addColumn('revoked_at', t.time)
        .execute();

      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('phone_e164', 'text', (c) => c.notNull())
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text')
        .addColumn('settings', t.json, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('last_message_at', t.time)
        .addUniqueConstraint('accounts_workspace_phone_unique', ['workspace_id', 'phone_e164'])
        .execute();

      // One row per person. Any of phone, lid and bsuid may be unknown; each known one is unique
      // within the workspace, which is what makes a lid ⇄ phone mapping a merge rather than a copy.
      await db.schema
        .createTable('identities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('phone_e164', 'text')
        .addColumn('wa_id', 'text')
        .addColumn('lid', 'text')
        .addColumn('bsuid', 'text')
        .addColumn('parent_bsuid', 'text')
        .addColumn('username', 'text')
        .addColumn('display_name', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('identities_phone_unique', ['workspace_id', 'phone_e164'])
        .addUniqueConstraint('identities_lid_unique', ['workspace_id', 'lid'])
        .addUniqueConstraint('identities_bsuid_unique', ['workspace_id', 'bsuid'])
        .execute();

      await db.schema
        .createTable('chats')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('partner_identity_id', 'text', (c) => c.references('identities.id'))
        .addColumn('group_key', 'text')
        .addColumn('title', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('last_message_at', t.time)
        .addUniqueConstraint('chats_account_partner_unique', ['account_id', 'partner_identity_id'])
        .addUniqueConstraint('chats_account_group_unique', ['account_id', 'group_key'])
        .execute();
      // No index on last_message_at: it changes with every batch, and an account has thousands of
      // chats, not millions, so sorting them for the chat list is cheaper than re-indexing on ingest.

      await db.schema
        .createTable('chat_participants')
        .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id'))
        .addColumn('identity_id', 'text', (c) => c.notNull().references('identities.id'))
        .addColumn('added_at', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('chat_participants_pk', ['chat_id', 'identity_id'])
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('chat_id', 'text', (c) => c.notNull().references('chats.id'))
        .addColumn('source_message_id', 'text', (c) => c.notNull())
        .addColumn('sender_identity_id', 'text', (c) => c.references('identities.id'))
        .addColumn('sender_name', 'text')
        .addColumn('from_me', 'integer', (c) => c.notNull())
        .addColumn('sent_at', t.time, (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('reply_to_source_id', 'text')
        .addColumn('edited_at', t.time)
        .addColumn('deleted_at', t.time)
        .addColumn('details', t.json)
        .addColumn('raw', t.json, (c) => c.notNull())
        .addColumn('received_at', t.time, (c) => c.notNull())
        // The idempotency key of every source: the same message delivered twice is stored once.
        .addUniqueConstraint('messages_account_source_unique', ['account_id', 'source_message_id'])
        .execute();
      // The one index beside the keys: a chat's messages in time order. Messages are deliberately not
      // indexed by sender (an identity merge finds them through the chats the identity is in), as
      // every index on this table costs ingest throughput.
      await db.schema
        .createIndex('messages_chat_sent')
        .on('messages')
        .columns(['chat_id', 'sent_at'])
        .execute();

      await db.schema
        .createTable('message_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('source_event_id', 'text', (c) => c.notNull())
        .addColumn('target_source_message_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('sender_identity_id', 'text', (c) => c.references('identities.id'))
        .addColumn('from_me', 'integer', (c) => c.notNull())
        .addColumn('occurred_at', t.time, (c) => c.notNull())
        .addColumn('payload', t.json, (c) => c.notNull())
        .addColumn('applied_at', t.time)
        .addColumn('received_at', t.time, (c) => c.notNull())
        .addUniqueConstraint('message_events_account_source_unique', ['account_id', 'source_event_id'])
        .execute();
      await db.schema
        .createIndex('message_events_sender')
        .on('message_events')
        .column('sender_identity_id')
        .execute();
      await db.schema
        .createIndex('message_events_target')
        .on('message_events')
        .columns(['account_id', 'target_source_message_id'])
        .execute();

      await db.schema
        .createTable('message_reactions')
        .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id'))
        .addColumn('reactor_key', 'text', (c) => c.notNull())
        .addColumn('reactor_identity_id', 'text', (c) => c.references('identities.id'))
        .addColumn('emoji', 'text', (c) => c.notNull())
        .addColumn('reacted_at', t.time, (c) => c.notNull())
        .addPrimaryKeyConstraint('message_reactions_pk', ['message_id', 'reactor_key'])
        .execute();
      await db.schema
        .createIndex('message_reactions_reactor')
        .on('message_reactions')
        .column('reactor_key')
        .execute();

      await db.schema
        .createTable('media')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull().unique().references('messages.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('mime_type', 'text')
        .addColumn('size_bytes', t.time)
        .addColumn('file_name', 'text')
        .addColumn('source_url', 'text')
        .addColumn('attempts', t.count, (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', t.time)
        .addColumn('failure', 'text')
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('updated_at', t.time, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('media_state').on('media').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('media_sha256').on('media').column('sha256').execute();
    },
  };
}
