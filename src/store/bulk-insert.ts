import { CompiledQuery } from 'kysely';
import type { DialectName } from './migrations/index.js';

/**
 * Multi-row statements as plain SQL with bound parameters. Kysely's query builder spends more time
 * turning a few hundred rows into an AST and back into SQL than SQLite spends storing them, so the
 * ingest hot path builds these few statements here. Table and column names are fixed by the caller,
 * never taken from input.
 */

/** `(?, ?), (?, ?)` (or `$1`… on Postgres) for the rows, appending their values to `parameters`. */
export function valuesClause(
  dialect: DialectName,
  rows: readonly (readonly unknown[])[],
  parameters: unknown[],
  /** Wraps each placeholder, e.g. to cast it; by column position. */
  wrap: (placeholder: string, column: number) => string = (placeholder) => placeholder,
): string {
  const tuples: string[] = [];
  for (const row of rows) {
    const marks: string[] = [];
    row.forEach((value, column) => {
      parameters.push(value);
      marks.push(wrap(dialect === 'postgres' ? `$${parameters.length}` : '?', column));
    });
    tuples.push(`(${marks.join(', ')})`);
  }
  return tuples.join(', ');
}

export function bulkInsert(options: {
  dialect: DialectName;
  table: string;
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
  /** ON CONFLICT / RETURNING clauses, as literal SQL. */
  suffix: string;
}): CompiledQuery {
  const parameters: unknown[] = [];
  const values = valuesClause(options.dialect, options.rows, parameters);
  return CompiledQuery.raw(
    `insert into ${options.table} (${options.columns.join(', ')}) values ${values} ${options.suffix}`,
    parameters,
  );
}
