import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { KeywardenError } from '../core/index.js';
import type { StoreDialect } from './columns.js';
import { migrationsFor } from './migrations/index.js';
import type { Database } from './schema.js';

/** What every domain store needs: Kysely over either engine. */
export interface SqlStore {
  db: Kysely<Database>;
  dialect: StoreDialect;
  close(): Promise<void>;
}

/** The SQLite store (the default): one file in the data directory. */
export interface Store extends SqlStore {
  dialect: 'sqlite';
  /** The raw SQLite handle, for synchronous transactions on hot paths (audit group commit). */
  sqlite: SQLite.Database;
  dataDir: string;
}

export const DB_FILE = 'keywarden.db';

/**
 * Create the data directory (0700) if needed, and tighten one that already exists to 0700: a
 * directory made by hand (or by an older version) under a 022 umask is 0755, which lets every
 * local user list it and read any file in it whose own mode is loose. A shared sticky directory
 * (`/tmp` itself) is refused rather than locked down for everyone else.
 */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o7777;
  if (mode & 0o1000)
    throw new KeywardenError(
      'invalid_config',
      `data directory ${dataDir} is a shared (sticky) directory: use a directory of its own`,
    );
  if (mode !== 0o700) chmodSync(dataDir, 0o700);
}

/** The database and its WAL/SHM files: owner-only, whatever the umask was when SQLite made them. */
function restrictDbFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    // chmod neither opens nor closes a descriptor, so it cannot drop another connection's locks.
    if (existsSync(f) && (statSync(f).mode & 0o777) !== 0o600) chmodSync(f, 0o600);
  }
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
  restrictDbFiles(file);
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db, 'sqlite');
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    dataDir,
    close: () => db.destroy(),
  };
}

/** Apply every migration not yet applied (the Migrator takes the engine's migration lock). */
export async function migrate(db: Kysely<Database>, dialect: StoreDialect, schema?: string): Promise<void> {
  const migrations = migrationsFor(dialect);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Kysely looks for its own tables in every schema unless told which one to use.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
}
