import type { Kysely } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * Signed client requests already used, per client, until their freshness window ends
 * (src/store/pg-replay-cache.ts): the replay cache several gateways share on PostgreSQL, so a
 * request captured at one instance cannot be replayed through another. SQLite (one process)
 * keeps its replay cache in memory and leaves this table empty.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('replay_keys')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('replay_key', 'text', (c) => c.notNull())
    .addColumn('expires_at', t.int, (c) => c.notNull())
    .addPrimaryKeyConstraint('replay_keys_pk', ['client_id', 'replay_key'])
    .execute();
  await db.schema.createIndex('replay_keys_expires').on('replay_keys').column('expires_at').execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) => dropTables(db, 'replay_keys');
