import type { Kysely } from 'kysely';
import { type Columns, dropTables } from '../columns.js';

/**
 * Alert acknowledgements (admin API `POST /alerts/:seq/ack`): one row per acknowledged alert,
 * keyed by the alert's audit `seq`, naming who acknowledged it and when (ms, `t.int`). The first
 * acknowledgement stands; the audit log keeps the `alerts.ack` record as well.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>, t: Columns): Promise<void> {
  await db.schema
    .createTable('alert_acks')
    .addColumn('alert_seq', t.int, (c) => c.primaryKey())
    .addColumn('acked_by', 'text', (c) => c.notNull())
    .addColumn('acked_at', t.int, (c) => c.notNull())
    .addColumn('note', 'text')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await dropTables(db, 'alert_acks');
}
