/**
 * The PostgreSQL store (`store.url` in keywarden.yaml or KEYWARDEN_STORE_URL): the same Kysely
 * schema and migrations as SQLite (src/store/columns.ts), on a `pg` Pool.
 *
 * BIGINT (int8) columns come back from `pg` as strings by default, since not every int8 fits a
 * JS number. Every int8 column here is a time in ms, a counter or a version, which SQLite hands
 * back as a number, so this pool parses them to numbers too, and refuses (throws) a value that a
 * number would round rather than return it rounded. Nonces, which must never round, are read as
 * text and turned into bigint by their own queries. The parser is set on this pool only (the
 * `types` option), never on the `pg` module for the whole process.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { KeywardenError } from '../core/index.js';
import { migrate, type SqlStore } from './db.js';
import type { Database } from './schema.js';

const INT8_OID = 20;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} does not fit a JS number`);
  return n;
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PgStore extends SqlStore {
  dialect: 'postgres';
  pool: pg.Pool;
  /** A connection string of the same database, for a LISTEN client of its own (src/store/change-feed.ts). */
  url: string;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Connect, apply every migration, and return the store. The URL (it may hold a password) is never logged. */
export async function openPostgresStore(url: string, options: { max?: number } = {}): Promise<PgStore> {
  if (!isPostgresUrl(url))
    throw new KeywardenError('invalid_config', 'store.url must be a postgres:// or postgresql:// URL');
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
  // An idle client's error (the server restarted) must not crash the process: the next query
  // fails and reports it instead.
  pool.on('error', () => undefined);
  // The same for a client that is checked out when its connection drops: `pg` rejects its query
  // (the caller sees that) and also emits 'error' on the client, which would crash the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // The store lives in the connection's current schema (public unless the URL's
  // `options=-c search_path=…` says otherwise), Kysely's migration tables with it.
  let schema: string;
  try {
    const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
    schema = rows[0]?.schema ?? 'public';
  } catch (err) {
    await db.destroy();
    throw new KeywardenError('store_unavailable', `PostgreSQL store unreachable: ${(err as Error).message}`);
  }
  await migrate(db, 'postgres', schema);
  return { db, dialect: 'postgres', pool, url, close: () => db.destroy() };
}
