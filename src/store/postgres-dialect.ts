import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

/**
 * Kysely's Postgres dialect, with an introspector that sees only the schema wasync works in (the
 * first of its search_path). Kysely's own reads every column of every table of every schema, calling
 * has_schema_privilege() on each schema by name, so on a database shared with other schemas it does
 * work that grows with them, and it fails ("schema … does not exist") when another schema is dropped
 * while it runs: the migrator runs it at every start. wasync's tables live in one schema, so that is
 * the only one it asks about.
 */
export class SchemaScopedPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

/** Kysely's default bookkeeping tables, left out unless asked for (as Kysely's own introspector does). */
const KYSELY_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string | null }>`select current_schema() as name`.execute(this.db);
    return rows.flatMap((row) => (row.name ? [{ name: row.name }] : []));
  }

  async getTables(options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
    const { rows } = await sql<{
      schema: string;
      table: string;
      isView: boolean;
      column: string;
      dataType: string;
      nullable: boolean;
      hasDefault: boolean;
    }>`
      select c.table_schema as schema, c.table_name as table, t.table_type = 'VIEW' as "isView",
        c.column_name as column, c.udt_name as "dataType", c.is_nullable = 'YES' as nullable,
        c.column_default is not null as "hasDefault"
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema()
      order by c.table_name, c.ordinal_position`.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const row of rows) {
      if (!options?.withInternalKyselyTables && KYSELY_TABLES.has(row.table)) continue;
      let table = tables.get(row.table);
      if (!table) {
        table = { name: row.table, schema: row.schema, isView: row.isView, columns: [] };
        tables.set(row.table, table);
      }
      table.columns.push({
        name: row.column,
        dataType: row.dataType,
        isNullable: row.nullable,
        hasDefaultValue: row.hasDefault,
        isAutoIncrementing: false,
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
