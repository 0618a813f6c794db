export {
  bumpClientsVersion,
  CHANGES_CHANNEL,
  followedVersion,
  readClientsVersion,
  type VersionWatch,
  type VersionWatchOptions,
  watchClientsVersion,
} from './change-feed.js';
export { createClientNonceLedger } from './client-nonces.js';
export { type Columns, columnsFor, dropTables, type StoreDialect, type StoreMigration } from './columns.js';
export { type AnyStore, openConfiguredStore } from './configured.js';
export { DB_FILE, ensureDataDir, openStore, type SqlStore, type Store } from './db.js';
export { pingStore } from './health.js';
export { createNonceSequences } from './nonce-sequence.js';
export { createPgClientNonceLedger, type SharedNonceLedger } from './pg-client-nonces.js';
export { createPgNonceSequences, NONCE_LOCK_SPACE } from './pg-nonce-sequence.js';
export { createPgReplayCache, type SharedReplayCache } from './pg-replay-cache.js';
export { createPgUsageStore, USAGE_LOCK_SPACE } from './pg-usage.js';
export { isPostgresUrl, openPostgresStore, type PgStore } from './postgres.js';
export type { CredentialsTable, Database, RetiringCredentialsTable } from './schema.js';
export { immediate, isPostgres, STORE_WRITE_LOCK } from './transaction.js';
export { createUsageStore } from './usage-store.js';
