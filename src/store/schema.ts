/**
 * The Kysely table types, one interface per table. Each capability adds its tables in its
 * own section here and a migration under ./migrations (registered in ./migrations/index.ts);
 * queries go through Kysely so a PostgreSQL dialect can be added without rewriting them.
 * Timestamps are integer milliseconds since the epoch; booleans are 0/1 integers.
 */

// --- vault & key registry (src/vault, src/lifecycle/keys) ---

// --- clients & policies (src/lifecycle/clients, src/policy) ---

// --- audit (src/audit) ---

// biome-ignore lint/suspicious/noEmptyInterface: each section above adds its tables to this interface
export interface Database {}
