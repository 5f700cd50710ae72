import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * Erasure on request: what each erasure removed and the CRM writes it found (with their deletion
 * state), tombstones that keep an erased person from being captured again (keyed hashes of their
 * number and WhatsApp ids, never the ids themselves), and the per-workspace key of those hashes,
 * sealed with the secret key.
 */
export function erasure(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  const json: ColumnDataType = dialect === 'postgres' ? 'jsonb' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('privacy_keys')
        .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
        .addColumn('sealed_key', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('erasures')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('phone_hint', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('requested_at', time, (c) => c.notNull())
        .addColumn('removed', json, (c) => c.notNull())
        .addColumn('crm_writes', json, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('erasures_workspace')
        .on('erasures')
        .columns(['workspace_id', 'requested_at'])
        .execute();

      await db.schema
        .createTable('tombstones')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('erasure_id', 'text', (c) => c.references('erasures.id').onDelete('set null'))
        .addColumn('phone_hint', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('tombstone_keys')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('tombstone_id', 'text', (c) => c.notNull().references('tombstones.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('tombstone_keys_pk', ['workspace_id', 'key_hash'])
        .execute();
      await db.schema
        .createIndex('tombstone_keys_tombstone')
        .on('tombstone_keys')
        .column('tombstone_id')
        .execute();
    },
  };
}
