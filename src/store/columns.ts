/**
 * The column types a migration may use, per SQL dialect. Every migration takes a `Columns` and
 * writes `t.int` / `t.real` / `t.rowId` where the two engines differ, so one migration file
 * produces the same logical schema on SQLite and on PostgreSQL:
 * - `int`: SQLite's INTEGER is always 64-bit, PostgreSQL's is 32-bit (a time in ms overflows it
 *   in 1970 + 25 days), so PostgreSQL gets BIGINT. `bigint` columns are BIGINT on both.
 * - `real`: SQLite's REAL is a double, PostgreSQL's is a 4-byte float; PostgreSQL gets DOUBLE
 *   PRECISION.
 * - `rowId`: an integer primary key the store assigns when an insert omits it (SQLite's rowid
 *   alias; PostgreSQL's identity column).
 * On SQLite each helper spells exactly what the migrations spelled before they took a `Columns`,
 * so existing database files and new ones share one byte-identical schema
 * (test/store/migrations.test.ts compares sqlite_master with a fixture).
 * Text stays TEXT on both. No migration uses BLOB or BOOLEAN: a future one would map BLOB to
 * BYTEA and store booleans as `int` 0/1, so both engines read back the same JS values.
 */
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Columns {
  dialect: StoreDialect;
  int: 'integer' | 'bigint';
  real: 'real' | 'double precision';
  /** The builder of a store-assigned integer primary key: `.addColumn('id', t.int, t.rowId)`. */
  rowId(c: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** As rowId, and never reusing the id of a deleted last row (SQLite AUTOINCREMENT). */
  rowIdAuto(c: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

export function columnsFor(dialect: StoreDialect): Columns {
  const sqlite = dialect === 'sqlite';
  return {
    dialect,
    int: sqlite ? 'integer' : 'bigint',
    real: sqlite ? 'real' : 'double precision',
    rowId: (c) => (sqlite ? c.primaryKey() : c.primaryKey().generatedByDefaultAsIdentity()),
    // A PostgreSQL identity never reuses a value, which is what AUTOINCREMENT adds on SQLite.
    rowIdAuto: (c) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
  };
}

/** One migration of src/store/migrations: `up` and `down` receive the dialect's column types. */
export interface StoreMigration {
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
  up(db: Kysely<any>, t: Columns): Promise<void>;
  // biome-ignore lint/suspicious/noExplicitAny: see up()
  down?(db: Kysely<any>, t: Columns): Promise<void>;
}

/** `down` of a migration that only created tables: drop them, last created first. */
// biome-ignore lint/suspicious/noExplicitAny: see StoreMigration
export async function dropTables(db: Kysely<any>, ...tables: string[]): Promise<void> {
  for (const name of tables) await db.schema.dropTable(name).execute();
}
