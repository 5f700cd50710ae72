import type { Kysely } from 'kysely';
import type { MigrationSet } from './index.js';

/**
 * `workspaces.extension_capture`: whether the REST ingest takes messages a browser extension captured
 * from the chats open in WhatsApp Web (1), or refuses them (0, the default). See src/server/routes/ingest.ts.
 */
export function extensionCapture(): MigrationSet[string] {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('workspaces')
        .addColumn('extension_capture', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
