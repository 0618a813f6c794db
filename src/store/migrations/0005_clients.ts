import { type Kysely, sql } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * Client credentials (src/lifecycle/clients.ts). `clients_version` is a one-row counter bumped
 * by every client change, so a gateway in another process notices revocations with one cheap read.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('policy_json', 'text', (c) => c.notNull())
    .addColumn('ip_allow_json', 'text', (c) => c.notNull())
    .addColumn('rate_per_second', t.real)
    .addColumn('expires_at', t.int)
    .addColumn('created_at', t.int, (c) => c.notNull())
    .addColumn('updated_at', t.int, (c) => c.notNull())
    .addColumn('version', t.int, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clients_key_id').on('clients').column('key_id').execute();
  await db.schema
    .createTable('client_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
    .addColumn('api_key_id', 'text', (c) => c.notNull().unique())
    .addColumn('verifier_envelope', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('not_after', t.int)
    .addColumn('created_at', t.int, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('client_credentials_client')
    .on('client_credentials')
    .column('client_id')
    .execute();
  await db.schema
    .createTable('clients_version')
    .addColumn('id', t.int, (c) => c.primaryKey())
    .addColumn('version', t.int, (c) => c.notNull())
    .execute();
  await sql`INSERT INTO clients_version (id, version) VALUES (1, 0)`.execute(db);
  // Small vault-encrypted settings the gateway owns (e.g. the audit checkpoint signing key).
  await db.schema
    .createTable('sealed_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('created_at', t.int, (c) => c.notNull())
    .execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) =>
  dropTables(db, 'sealed_settings', 'clients_version', 'client_credentials', 'clients');
