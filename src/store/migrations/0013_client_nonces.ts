import type { Kysely } from 'kysely';

/**
 * The highest nonce each drop-in client key has used (Kraken), src/store/client-nonces.ts:
 * kept in the store so a request captured before a restart cannot be replayed after it.
 * `last` is an SQLite INTEGER read and written as a bigint.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('client_nonces')
    .addColumn('api_key', 'text', (c) => c.primaryKey())
    .addColumn('last', 'bigint', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('client_nonces').execute();
}
