/**
 * Every SQL statement of the lockdown domain: the clients a lockdown covers, their freeze and
 * unfreeze, the `lockdowns` rows, and the exchange answers the incident report quotes.
 * Writes run inside `write(fn)`, one `immediate` transaction (src/store/transaction.ts: BEGIN
 * IMMEDIATE on SQLite, BEGIN and the store's advisory lock on PostgreSQL): the write lock is
 * taken first, so the clients read are the clients frozen. Every statement is Kysely over either
 * engine; the freeze bumps `clients_version`, which NOTIFYs every gateway on PostgreSQL.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { KeywardenError } from '../core/index.js';
import {
  bumpClientsVersion,
  type Database,
  immediate,
  type SqlStore,
  type StoreDialect,
} from '../store/index.js';

export type ClientRow = Pick<Database['clients'], 'id' | 'name' | 'exchange' | 'key_id' | 'status'>;
export type LockdownRow = Database['lockdowns'];

const CLIENT_COLUMNS = ['id', 'name', 'exchange', 'key_id', 'status'] as const;

/** The queries of one write transaction. */
export interface LockdownWrites {
  /** By id or name; not_found when there is none. */
  client(ref: string): Promise<ClientRow>;
  /** Live (not revoked) clients, by name: all of them, one key's, or one client. */
  clientsInScope(filter: { keyId?: string; clientId?: string }): Promise<ClientRow[]>;
  /** Clients by id (revoked ones included). */
  clientsById(ids: string[]): Promise<Map<string, ClientRow>>;
  /** Active lockdowns, newest first. */
  active(): Promise<LockdownRow[]>;
  insert(row: LockdownRow): Promise<void>;
  end(id: string, at: number, reason: string, actor: string): Promise<void>;
  setFrozen(id: string, clientIds: string[]): Promise<void>;
  /** Set `status` on those clients that are in `from` now, bump their version and `clients_version`. */
  setStatus(ids: string[], from: string, to: string, at: number): Promise<void>;
}

export interface LockdownStore {
  write<T>(fn: (q: LockdownWrites) => Promise<T>): Promise<T>;
  clientsById(ids: string[]): Promise<Map<string, ClientRow>>;
  list(options: { active?: boolean }): Promise<LockdownRow[]>;
  setCancel(id: string, json: string): Promise<void>;
  setReportPath(id: string, path: string): Promise<void>;
}

const clientsByIdQuery = (db: Kysely<Database>, ids: string[]) =>
  db.selectFrom('clients').select(CLIENT_COLUMNS).where('id', 'in', ids);

const lockdownsQuery = (db: Kysely<Database>, active: boolean) => {
  const q = db.selectFrom('lockdowns').selectAll().orderBy('started_at', 'desc');
  return active ? q.where('ended_at', 'is', null) : q;
};

function writes(trx: Kysely<Database>): LockdownWrites {
  return {
    async client(ref) {
      const row = await trx
        .selectFrom('clients')
        .select(CLIENT_COLUMNS)
        .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
        .executeTakeFirst();
      if (!row) throw new KeywardenError('not_found', `no client "${ref.slice(0, 64)}"`);
      return row;
    },
    async clientsInScope(filter) {
      let q = trx
        .selectFrom('clients')
        .select(CLIENT_COLUMNS)
        .where('status', '!=', 'revoked')
        .orderBy('name');
      if (filter.keyId !== undefined) q = q.where('key_id', '=', filter.keyId);
      if (filter.clientId !== undefined) q = q.where('id', '=', filter.clientId);
      return q.execute();
    },
    async clientsById(ids) {
      if (ids.length === 0) return new Map();
      return new Map((await clientsByIdQuery(trx, ids).execute()).map((r) => [r.id, r]));
    },
    active: () => lockdownsQuery(trx, true).execute(),
    async insert(row) {
      await trx.insertInto('lockdowns').values(row).execute();
    },
    async end(id, at, reason, actor) {
      await trx
        .updateTable('lockdowns')
        .set({ ended_at: at, unlock_reason: reason, unlock_actor: actor })
        .where('id', '=', id)
        .execute();
    },
    async setFrozen(id, clientIds) {
      await trx
        .updateTable('lockdowns')
        .set({ frozen_json: JSON.stringify(clientIds) })
        .where('id', '=', id)
        .execute();
    },
    async setStatus(ids, from, to, at) {
      if (ids.length === 0) return;
      await trx
        .updateTable('clients')
        .set((eb) => ({ status: to, updated_at: at, version: eb('version', '+', 1) }))
        .where('id', 'in', ids)
        .where('status', '=', from)
        .execute();
      // Every gateway reloads client state when `clients_version` moves.
      await bumpClientsVersion(trx);
    },
  };
}

export function createLockdownStore(store: Pick<SqlStore, 'db'>): LockdownStore {
  const { db } = store;
  return {
    write: (fn) => immediate(db, (trx) => fn(writes(trx))),
    async clientsById(ids) {
      if (ids.length === 0) return new Map();
      return new Map((await clientsByIdQuery(db, ids).execute()).map((r) => [r.id, r]));
    },
    list: (options) => lockdownsQuery(db, options.active === true).execute(),
    async setCancel(id, json) {
      await db.updateTable('lockdowns').set({ cancel_json: json }).where('id', '=', id).execute();
    },
    async setReportPath(id, path) {
      await db.updateTable('lockdowns').set({ report_path: path }).where('id', '=', id).execute();
    },
  };
}

/**
 * One field of an audit record's hashed `data` (what is filtered is what is verified, as in
 * src/audit/audit-query.ts): json_extract on SQLite, `->>` over jsonb on PostgreSQL. Both answer
 * text for a string; the number is read back through Number().
 */
function auditField(dialect: StoreDialect, name: string): RawBuilder<string | number | null> {
  return dialect === 'sqlite'
    ? sql<string | number | null>`json_extract(data, ${`$.${name}`})`
    : sql<string | number | null>`(data::jsonb ->> ${name})`;
}

/** The exchange's HTTP status for forwarded requests, from their `outcome` audit records. */
export async function upstreamStatuses(
  store: Pick<SqlStore, 'db' | 'dialect'>,
  requestIds: string[],
  since: number,
): Promise<Map<string, number>> {
  if (requestIds.length === 0) return new Map();
  const field = (name: string) => auditField(store.dialect, name);
  // `at` first: the range on the indexed column bounds the rows the JSON is parsed for.
  const rows = await store.db
    .selectFrom('audit_log')
    .select([field('requestId').as('id'), field('upstreamStatus').as('status')])
    .where('at', '>=', since)
    .where(field('kind'), '=', 'outcome')
    .where(field('requestId'), 'in', requestIds)
    .execute();
  const out = new Map<string, number>();
  for (const r of rows) if (r.status !== null && r.id !== null) out.set(String(r.id), Number(r.status));
  return out;
}
