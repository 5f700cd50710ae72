import type { ColumnDataType, Kysely } from 'kysely';
import type { DialectName, MigrationSet } from './index.js';

/**
 * `own_lids`: the `@lid`s of the workspace's own WhatsApp accounts, as the linked device learns them.
 * They are no contact's key: a lid ↔ phone pair or a contact carrying one is about the account
 * itself, and is never recorded against a person.
 */
export function ownLids(dialect: DialectName): MigrationSet[string] {
  const time: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('own_lids')
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('lid', 'text', (c) => c.notNull())
        .addColumn('learned_at', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('own_lids_pk', ['workspace_id', 'lid'])
        .execute();
    },
  };
}
