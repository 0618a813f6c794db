import type { Kysely } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * Lockdowns (src/lifecycle/lockdown.ts): one row per `keywarden lockdown`, so `unlock` reverses
 * exactly that lockdown. `clients_json` lists every client in scope; `frozen_json` only those
 * this lockdown froze (clients frozen before it stay frozen after `unlock`).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('lockdowns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('target_label', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('started_at', t.int, (c) => c.notNull())
    .addColumn('ended_at', t.int)
    .addColumn('unlock_reason', 'text')
    .addColumn('unlock_actor', 'text')
    .addColumn('clients_json', 'text', (c) => c.notNull())
    .addColumn('frozen_json', 'text', (c) => c.notNull())
    .addColumn('cancel_json', 'text')
    .addColumn('report_path', 'text')
    .execute();
  await db.schema.createIndex('lockdowns_active').on('lockdowns').columns(['ended_at', 'scope']).execute();
}

export const down = (db: Parameters<typeof dropTables>[0]) => dropTables(db, 'lockdowns');
