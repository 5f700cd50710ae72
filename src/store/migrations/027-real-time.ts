import type { Kysely } from 'kysely';
import type { MigrationSet } from './index.js';

/**
 * `workspaces.real_time`: whether a stored message asks for a sync of the connections its chat reaches
 * within seconds (1, the default) or waits for the interval's sweep (0). See src/sync/realtime.ts.
 */
export function realTime(): MigrationSet[string] {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('workspaces')
        .addColumn('real_time', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  };
}
