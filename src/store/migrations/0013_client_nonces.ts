import type { Kysely } from 'kysely';
import { dropTables } from '../columns.js';

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

export const down = (db: Parameters<typeof dropTables>[0]) => dropTables(db, 'client_nonces');
