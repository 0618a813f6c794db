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
 */
import { type Compilable, type Kysely, sql } from 'kysely';
import type { Store } from './db.js';
import type { Database } from './schema.js';

export async function immediate<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
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

/**
 * Synchronous reads built by Kysely and run on the raw handle, for services whose read API is
 * synchronous (lockdown `list`).
 */
export function readSync<R>(store: Pick<Store, 'sqlite'>, query: Compilable<R>): R[] {
  const compiled = query.compile();
  return store.sqlite.prepare(compiled.sql).all(...(compiled.parameters as unknown[])) as R[];
}
