export { createClientNonceLedger } from './client-nonces.js';
export { DB_FILE, ensureDataDir, openStore, type Store } from './db.js';
export { createNonceSequences } from './nonce-sequence.js';
export type { CredentialsTable, Database, RetiringCredentialsTable } from './schema.js';
export { immediate, readSync } from './transaction.js';
export { createUsageStore } from './usage-store.js';
