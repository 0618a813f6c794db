import type { Kysely } from 'kysely';
import type { Columns } from '../columns.js';

/**
 * Approvals (src/approvals): the two-person rule. One row per request, its decision and, for a
 * withdrawal, its single execution. Times are ms since the epoch (`t.int`: BIGINT on PostgreSQL,
 * whose 32-bit INTEGER cannot hold one); actors are JSON `Actor`s.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by_json', 'text', (c) => c.notNull())
    .addColumn('requested_at', t.int, (c) => c.notNull())
    .addColumn('expires_at', t.int, (c) => c.notNull())
    .addColumn('decided_by_json', 'text')
    .addColumn('decided_at', t.int)
    .addColumn('executed_at', t.int)
    .addColumn('result_json', 'text')
    .execute();
  await db.schema
    .createIndex('approvals_status')
    .on('approvals')
    .columns(['status', 'requested_at'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('approvals').execute();
}
