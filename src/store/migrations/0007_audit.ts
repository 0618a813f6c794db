import type { Kysely } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * The tamper-evident audit log (src/audit). `audit_log.data` is the record's canonical JSON
 * and `hash` is SHA-256 over exactly those bytes; filters read fields with json_extract so no
 * unhashed copy of a field can drift from the hashed one.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', t.int, (c) => c.primaryKey())
    .addColumn('at', t.int, (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('id', t.int, t.rowIdAuto)
    .addColumn('seq', t.int, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('at', t.int, (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audit_meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) =>
  dropTables(db, 'audit_meta', 'audit_checkpoints', 'audit_log');
