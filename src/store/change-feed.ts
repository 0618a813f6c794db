/**
 * Change propagation between processes sharing one store. Every client, freeze, lockdown,
 * policy and key-rotation change bumps `clients_version` through `bumpClientsVersion`, in the
 * transaction that makes the change. On PostgreSQL the same transaction also NOTIFYs
 * `keywarden_changes`: PostgreSQL delivers it to every LISTENing gateway at COMMIT, and never
 * for a change that rolled back, so a gateway drops its cached client/key state as soon as the
 * change is durable. The notification only says "look"; the listener re-reads the version from
 * its own store, so a notification from another schema or a lost one changes nothing wrong.
 *
 * Fallback: `watchClientsVersion` also re-reads the version every `fallbackMs`, and
 * reconnects its listener then when it was dropped, so a missed NOTIFY costs at most that long.
 * On SQLite there is no NOTIFY: gateways read the version on every request (createVersionReader).
 */
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { KeywardenError } from '../core/index.js';
import type { PgStore } from './postgres.js';
import type { Database } from './schema.js';
import { isPostgres } from './transaction.js';

export const CHANGES_CHANNEL = 'keywarden_changes';

/** Bump `clients_version` inside a write transaction (`immediate`); NOTIFY on PostgreSQL. */
export async function bumpClientsVersion(trx: Kysely<Database>): Promise<void> {
  const row = await trx
    .updateTable('clients_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .returning('version')
    .executeTakeFirst();
  if (row !== undefined && isPostgres(trx))
    await sql`SELECT pg_notify(${CHANGES_CHANNEL}, ${String(row.version)})`.execute(trx);
}

export interface VersionWatch {
  /** The newest `clients_version` seen (synchronous: the gateway checks it on every request). */
  version(): number;
  /** False while the listener is down or the last read failed: the store is not to be trusted. */
  healthy(): boolean;
  close(): Promise<void>;
}

export interface VersionWatchOptions {
  /** Re-read the version (and reconnect a dropped listener) this often; default 1000 ms. */
  fallbackMs?: number;
  /** Called after the version moved, with the new version. */
  onChange?: (version: number) => void;
}

/** Watch `clients_version` of a PostgreSQL store: LISTEN for pushes, poll as the fallback. */
export async function watchClientsVersion(
  store: PgStore,
  options: VersionWatchOptions = {},
): Promise<VersionWatch> {
  let current = -1;
  let primed = false;
  let readOk = false;
  let listener: pg.Client | undefined;
  let listening = false;
  let closed = false;

  const refresh = async (): Promise<void> => {
    try {
      const row = await store.db
        .selectFrom('clients_version')
        .select('version')
        .where('id', '=', 1)
        .executeTakeFirst();
      readOk = true;
      const v = Number(row?.version ?? 0);
      if (v > current) {
        current = v;
        // The first read is where the watch starts, not a change.
        if (primed) options.onChange?.(v);
      }
      primed = true;
    } catch {
      readOk = false;
    }
  };

  const listen = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: store.url });
    const down = () => {
      listening = false;
      if (listener === client) listener = undefined;
    };
    client.on('error', down);
    client.on('end', down);
    client.on('notification', (msg) => {
      if (msg.channel === CHANGES_CHANNEL) void refresh();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
      listener = client;
      listening = true;
      // A change committed while the listener was down was not pushed to it: read once now.
      await refresh();
    } catch {
      down();
      await client.end().catch(() => undefined);
    }
  };

  await refresh();
  await listen();
  const timer = setInterval(() => {
    if (closed) return;
    if (!listening && listener === undefined) void listen();
    void refresh();
  }, options.fallbackMs ?? 1_000);
  timer.unref();

  return {
    version: () => current,
    healthy: () => listening && readOk,
    async close() {
      closed = true;
      clearInterval(timer);
      const l = listener;
      listener = undefined;
      listening = false;
      await l?.end().catch(() => undefined);
    },
  };
}

/** Read `clients_version` (either engine); `store_unavailable` when the store does not answer. */
export async function readClientsVersion(db: Kysely<Database>): Promise<number> {
  try {
    const row = await db
      .selectFrom('clients_version')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirst();
    return Number(row?.version ?? 0);
  } catch {
    throw new KeywardenError('store_unavailable');
  }
}

/**
 * The version a gateway on PostgreSQL checks on every request: the watch's (in memory, pushed
 * by NOTIFY within milliseconds of a change's COMMIT) while its listener is up; a read of the
 * store per request while it is down, today's per-request check, until the listener is back.
 */
export function followedVersion(watch: VersionWatch, db: Kysely<Database>): () => number | Promise<number> {
  return () => (watch.healthy() ? watch.version() : readClientsVersion(db));
}
