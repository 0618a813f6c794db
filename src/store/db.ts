import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export interface Store {
  db: Kysely<Database>;
  /** The raw SQLite handle, for synchronous transactions on hot paths (audit group commit). */
  sqlite: SQLite.Database;
  dataDir: string;
  close(): Promise<void>;
}

export const DB_FILE = 'keywarden.db';

/** Create the data directory (0700) if needed; SQLite's WAL and SHM files inherit the database file's 0600 mode. */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}

/** Open (creating if needed) the SQLite store in `dataDir`, in WAL mode, with every migration applied. */
export async function openStore(dataDir: string): Promise<Store> {
  ensureDataDir(dataDir);
  const file = join(dataDir, DB_FILE);
  // Create the file 0600 before SQLite does (umask would decide), and only when it is missing:
  // closing any descriptor of a database file drops the POSIX locks this process holds on it
  // (SQLite's "how to corrupt" list), so never touch a file another connection may have open.
  // Seen in tests (world.diskText), not reproduced through openStore itself.
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return {
    db,
    sqlite,
    dataDir,
    close: () => db.destroy(),
  };
}
