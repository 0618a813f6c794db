import { type Kysely, sql } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/** Vault metadata (one row) and the credential table of the key registry. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('vault_meta')
    .addColumn('id', t.int, (c) => c.primaryKey())
    .addColumn('kdf_json', 'text', (c) => c.notNull())
    .addColumn('key_check', 'text', (c) => c.notNull())
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    .addColumn('wrapped_root', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('label', 'text', (c) => c.notNull().unique())
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('notes', 'text')
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('version', t.int, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('rotated_at', 'bigint')
    .addColumn('retired_at', 'bigint')
    .execute();
  await sql`SELECT 1`.execute(db);
}

export const down = (db: Parameters<typeof dropTables>[0]) => dropTables(db, 'credentials', 'vault_meta');
