import type { Kysely } from 'kysely';
import { dropTables } from '../columns.js';

/**
 * Nonce sequences (src/store/nonce-sequence.ts): the last nonce drawn per exchange key, so the
 * gateway and every CLI process sign Kraken requests from one strictly increasing sequence.
 * `last` is an SQLite INTEGER (64-bit signed), read and written as a bigint, never a JS number:
 * today's values (microseconds since the epoch, ~1.8e15) are below 2^53, but no draw may round.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nonce_sequences')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('last', 'bigint', (c) => c.notNull())
    .execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) => dropTables(db, 'nonce_sequences');
