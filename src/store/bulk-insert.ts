import { CompiledQuery } from 'kysely';
import type { DialectName } from './migrations/index.js';

/**
 * A multi-row INSERT as plain SQL with bound parameters. Kysely's query builder spends more time
 * turning 500 rows into an AST and back into SQL than SQLite spends storing them, so the ingest hot
 * path (messages) builds its statement here. Column names are fixed by the caller, never input.
 */
export function bulkInsert(options: {
  dialect: DialectName;
  table: string;
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
  /** ON CONFLICT / RETURNING clauses, as literal SQL. */
  suffix: string;
}): CompiledQuery {
  const { dialect, table, columns, rows, suffix } = options;
  const parameters: unknown[] = [];
  const tuples: string[] = [];
  for (const row of rows) {
    const marks: string[] = [];
    for (const value of row) {
      parameters.push(value);
      marks.push(dialect === 'postgres' ? `$${parameters.length}` : '?');
    }
    tuples.push(`(${marks.join(', ')})`);
  }
  const sql = `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')} ${suffix}`;
  return CompiledQuery.raw(sql, parameters);
}
