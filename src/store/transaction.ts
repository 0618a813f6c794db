/**
 * The one write-transaction helper of the domains: `immediate(db, fn)` runs `fn` inside
 * BEGIN IMMEDIATE … COMMIT on one connection (ROLLBACK when `fn` throws).
 *
 * IMMEDIATE takes the write lock first. A deferred transaction (Kysely's `db.transaction()`
 * sends a plain BEGIN) that reads and then writes cannot wait for the lock: when another
 * connection (a gateway appending audit records) holds it, SQLite answers SQLITE_BUSY at once
 * rather than risk a deadlock, whatever busy_timeout says. IMMEDIATE instead waits for the lock
 * up to the busy_timeout set where the store is opened (db.ts), then reads what it writes over.
 *
 * Inside `fn`, await only queries on `trx`: better-sqlite3 answers them synchronously, so the
 * whole transaction settles in microtasks, and nothing scheduled on the event loop (the audit
 * log's group commit, which writes on the same connection) can land inside it.
 *
 * On PostgreSQL the same call is BEGIN (READ COMMITTED) followed by one transaction-scoped
 * advisory lock, the store's write lock: every `immediate` transaction of every process on the
 * database waits for it before its first read, exactly as BEGIN IMMEDIATE makes them wait on
 * SQLite, so a read-check-write is never interleaved with another. SERIALIZABLE would give the
 * same guarantee only with a retry loop around every caller (serialization failures are
 * answered, not waited for); the lock needs none and is released by COMMIT or ROLLBACK, also
 * when the connection dies.
 */
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Database } from './schema.js';

/** The advisory lock id of the store's write transactions (any constant; "kw" + "wr"). */
export const STORE_WRITE_LOCK = 0x6b77_7772;

export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function immediate<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (isPostgres(db))
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${STORE_WRITE_LOCK})`.execute(trx);
      return fn(trx);
    });
  return db.connection().execute(async (conn) => {
    await sql`BEGIN IMMEDIATE`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`COMMIT`.execute(conn);
      return result;
    } catch (err) {
      try {
        await sql`ROLLBACK`.execute(conn);
      } catch {
        // SQLite already ended the transaction itself (it does on SQLITE_FULL, IOERR, NOMEM): the
        // error worth reporting is the one that got us here.
      }
      throw err;
    }
  });
}
