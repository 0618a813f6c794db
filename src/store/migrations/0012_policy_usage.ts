import type { Kysely } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * Policy usage per client and UTC day (src/store/usage-store.ts): the notional traded and the
 * amount withdrawn per coin, so a restart does not reset a daily cap. `item` is `notional` or
 * `withdraw:<COIN>`; `day` counts days since the epoch.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('policy_usage')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('day', t.int, (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('amount', t.real, (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_usage_pk', ['client_id', 'day', 'item'])
    .execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) => dropTables(db, 'policy_usage');
