/**
 * Store-level tests on both engines: `describeStores(name, body)` runs `body` once against
 * SQLite and once against PostgreSQL. `open()` gives a fresh, migrated store each call: an
 * SQLite file in a temporary directory, or a PostgreSQL schema of its own inside one database
 * made for this test file (dropped, with every schema in it, after the file).
 *
 * PostgreSQL is the machine's (127.0.0.1:5432, trust auth; `.ci/run` starts it when it is not
 * running). The address is fixed, never read from the environment, so a user's exported
 * variables cannot point a test at a real database. When nothing answers there, the PostgreSQL
 * half is skipped with a loud message, and only then.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openStore, type SqlStore, type StoreDialect } from '../../src/store/index.js';
import { openPostgresStore, type PgStore } from '../../src/store/postgres.js';

export const PG_SERVER = 'postgres://postgres@127.0.0.1:5432';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: `${PG_SERVER}/postgres`, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const pgUp = await reachable();
if (!pgUp)
  console.error(
    `\n${'!'.repeat(72)}\n!! PostgreSQL is not reachable at ${PG_SERVER}: the PostgreSQL half of the\n` +
      `!! store tests is SKIPPED. Start it: pg_ctlcluster --skip-systemctl-redirect 15 main start\n${'!'.repeat(72)}\n`,
  );

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface StoreFixture {
  dialect: StoreDialect;
  /** A fresh migrated store (closed after the file). */
  open(): Promise<SqlStore>;
  /** A second store on the same data as `first` (another gateway, another process's pool). */
  reopen(first: SqlStore): Promise<SqlStore>;
}

/** The PostgreSQL half: one database per test file; one schema per `open()`. */
function pgFixture(prefix: string): StoreFixture {
  const database = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const opened: SqlStore[] = [];
  const urls = new Map<SqlStore, string>();
  beforeAll(() => admin((c) => c.query(`CREATE DATABASE ${database}`)));
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  });
  const at = async (url: string) => {
    const s: PgStore = await openPostgresStore(url, { max: 4 });
    opened.push(s);
    urls.set(s, url);
    return s;
  };
  return {
    dialect: 'postgres',
    async open() {
      const schema = `s_${randomBytes(6).toString('hex')}`;
      const c = new pg.Client({ connectionString: `${PG_SERVER}/${database}` });
      await c.connect();
      await c.query(`CREATE SCHEMA ${schema}`).finally(() => c.end());
      return at(`${PG_SERVER}/${database}?options=${encodeURIComponent(`-c search_path=${schema}`)}`);
    },
    reopen(first) {
      const url = urls.get(first);
      if (url === undefined) throw new Error('reopen: not a store of this fixture');
      return at(url);
    },
  };
}

function sqliteFixture(): StoreFixture {
  const root = mkdtempSync(join(tmpdir(), 'kw-stores-'));
  const opened: SqlStore[] = [];
  const dirs = new Map<SqlStore, string>();
  let n = 0;
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });
  const at = async (dir: string) => {
    const s = await openStore(dir);
    opened.push(s);
    dirs.set(s, dir);
    return s;
  };
  return {
    dialect: 'sqlite',
    open: () => at(join(root, `d${++n}`)),
    reopen(first) {
      const dir = dirs.get(first);
      if (dir === undefined) throw new Error('reopen: not a store of this fixture');
      return at(dir);
    },
  };
}

/**
 * Run `body` on SQLite and on PostgreSQL (the latter skipped, loudly, only when unreachable).
 * `databasePrefix` names the PostgreSQL database made for the file (default `kw_test`).
 */
export function describeStores(
  name: string,
  body: (f: StoreFixture) => void,
  options: { databasePrefix?: string } = {},
): void {
  describe(`${name} [sqlite]`, () => body(sqliteFixture()));
  (pgUp ? describe : describe.skip)(`${name} [postgres]`, () =>
    body(pgFixture(options.databasePrefix ?? 'kw_test')),
  );
}
