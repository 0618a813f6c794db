/**
 * The store a process opens: SQLite in the data directory (the default), or PostgreSQL when
 * `store.url` (keywarden.yaml) or KEYWARDEN_STORE_URL names one. The data directory is created
 * either way and named on the store: it keeps this process's local files (the audit anchor
 * must lie outside it, incident reports, the sandbox), never shared state.
 */
import { ensureDataDir, openStore, type Store } from './db.js';
import { openPostgresStore, type PgStore } from './postgres.js';

/** Either engine, told apart by `dialect`; code that needs the raw SQLite handle narrows on it. */
export type AnyStore = Store | (PgStore & { dataDir: string });

export async function openConfiguredStore(dataDir: string, url?: string): Promise<AnyStore> {
  if (url === undefined) return openStore(dataDir);
  ensureDataDir(dataDir);
  const store = await openPostgresStore(url);
  return Object.assign(store, { dataDir });
}
