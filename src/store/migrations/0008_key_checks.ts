import type { Kysely } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * Key lifecycle (src/lifecycle): `key_checks` holds every verification of a key against its
 * exchange; `retiring_credentials` holds the previous envelope of a rotated key until its grace
 * period ends (then the row is deleted, destroying the old credential).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('key_checks')
    .addColumn('id', t.int, t.rowId)
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('key_version', t.int, (c) => c.notNull())
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .addColumn('introspection_json', 'text', (c) => c.notNull())
    .addColumn('flags_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('key_checks_key').on('key_checks').columns(['key_id', 'id']).execute();
  await db.schema
    .createTable('retiring_credentials')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('version', t.int, (c) => c.notNull())
    // The label and exchange the envelope's associated data was bound to.
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('grace_until', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('retiring_credentials_pk', ['key_id', 'version'])
    .execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) =>
  dropTables(db, 'retiring_credentials', 'key_checks');
