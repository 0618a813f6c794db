import type { Kysely } from 'kysely';

/**
 * Third-party integrations (src/lifecycle/third-party.ts): a client may be marked as a vendor's
 * integration (vendor, purpose, contact, next review date, the vendor's published addresses),
 * stored as one JSON object; NULL for keywarden's own bots.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the typed Database
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('third_party_json', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('third_party_json').execute();
}
