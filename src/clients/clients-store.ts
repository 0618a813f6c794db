/**
 * Every SQL statement of the clients domain: `clients`, their `client_credentials` and the
 * `clients_version` change counter. Each change is one BEGIN IMMEDIATE transaction
 * (src/store/transaction.ts) that reads the client, lets the service's guard refuse the change
 * on what it read, writes and bumps the counter: a check and its change cannot be split by
 * another process's write, and a gateway appending audit records makes a CLI change wait for
 * the write lock instead of failing with SQLITE_BUSY.
 */
import type { Kysely } from 'kysely';
import { KeywardenError } from '../core/index.js';
import { bumpClientsVersion, type Database, immediate } from '../store/index.js';

export type ClientRow = Database['clients'];
export type CredentialRow = Database['client_credentials'];
/** The settings a live client may change. */
export type ClientSettings = Partial<Pick<ClientRow, 'ip_allow_json' | 'policy_json' | 'third_party_json'>>;
type Guard = (row: ClientRow) => void;

export interface ClientsStore {
  /** By id or name. */
  byRef(ref: string): Promise<ClientRow | undefined>;
  nameTaken(name: string): Promise<boolean>;
  /** Every client, oldest first. */
  list(): Promise<ClientRow[]>;
  /** Every client, in no particular order. */
  all(): Promise<ClientRow[]>;
  /** A client's credentials, newest first. */
  credentialsOf(clientId: string): Promise<Array<Pick<CredentialRow, 'api_key_id' | 'status' | 'not_after'>>>;
  /** Every credential of every client. */
  allCredentials(): Promise<CredentialRow[]>;
  /** A new client with its first credential; refused when the name is taken. */
  insert(client: ClientRow, credential: CredentialRow): Promise<void>;
  /** Status change (revoking also revokes every credential); resolves to the row as read before it. */
  setStatus(ref: string, status: string, at: number, guard: Guard): Promise<ClientRow>;
  /** Settings change; resolves to the row as read before it. */
  update(ref: string, set: ClientSettings, at: number, guard: Guard): Promise<ClientRow>;
  /** `credential` replaces the client's live ones, which retire until `at + graceMs` (revoked at `at` when 0). */
  reroll(credential: CredentialRow, graceMs: number, at: number, guard: Guard): Promise<void>;
}

/** Read `clients_version` with one prepared statement on the raw SQLite handle. */
export function createVersionReader(sqlite: {
  prepare(sql: string): { pluck(): { get(): unknown } };
}): () => number {
  // Raw, not Kysely: the gateway reads it on every request, synchronously, from one prepared statement.
  const stmt = sqlite.prepare('SELECT version FROM clients_version WHERE id = 1').pluck();
  return () => Number(stmt.get() ?? 0);
}

export function createClientsStore(db: Kysely<Database>): ClientsStore {
  const byRefQuery = (trx: Kysely<Database>, ref: string) =>
    trx
      .selectFrom('clients')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]));

  /** Gateways (this process or another) reload client state when the counter moves. */
  const read = async (trx: Kysely<Database>, ref: string, guard: Guard): Promise<ClientRow> => {
    const row = await byRefQuery(trx, ref).executeTakeFirst();
    if (!row) throw new KeywardenError('not_found', `no client "${ref.slice(0, 64)}"`);
    guard(row);
    return row;
  };

  const nameQuery = (trx: Kysely<Database>, name: string) =>
    trx.selectFrom('clients').select('id').where('name', '=', name);

  return {
    byRef: (ref) => byRefQuery(db, ref).executeTakeFirst(),
    nameTaken: async (name) => (await nameQuery(db, name).executeTakeFirst()) !== undefined,
    list: () => db.selectFrom('clients').selectAll().orderBy('created_at').execute(),
    all: () => db.selectFrom('clients').selectAll().execute(),
    credentialsOf: (clientId) =>
      db
        .selectFrom('client_credentials')
        .select(['api_key_id', 'status', 'not_after'])
        .where('client_id', '=', clientId)
        .orderBy('created_at', 'desc')
        .execute(),
    allCredentials: () => db.selectFrom('client_credentials').selectAll().execute(),

    insert: (client, credential) =>
      immediate(db, async (trx) => {
        if ((await nameQuery(trx, client.name).executeTakeFirst()) !== undefined)
          throw new KeywardenError('duplicate', `a client named "${client.name}" already exists`);
        await trx.insertInto('clients').values(client).execute();
        await trx.insertInto('client_credentials').values(credential).execute();
        await bumpClientsVersion(trx);
      }),

    setStatus: (ref, status, at, guard) =>
      immediate(db, async (trx) => {
        const row = await read(trx, ref, guard);
        await trx
          .updateTable('clients')
          .set((eb) => ({ status, updated_at: at, version: eb('version', '+', 1) }))
          .where('id', '=', row.id)
          .execute();
        if (status === 'revoked')
          await trx
            .updateTable('client_credentials')
            .set({ status: 'revoked', not_after: at })
            .where('client_id', '=', row.id)
            .execute();
        await bumpClientsVersion(trx);
        return row;
      }),

    update: (ref, set, at, guard) =>
      immediate(db, async (trx) => {
        const row = await read(trx, ref, guard);
        await trx
          .updateTable('clients')
          .set((eb) => ({ ...set, updated_at: at, version: eb('version', '+', 1) }))
          .where('id', '=', row.id)
          .execute();
        await bumpClientsVersion(trx);
        return row;
      }),

    reroll: (credential, graceMs, at, guard) =>
      immediate(db, async (trx) => {
        const row = await read(trx, credential.client_id, guard);
        await trx
          .updateTable('client_credentials')
          .set(
            graceMs > 0
              ? { status: 'retiring', not_after: at + graceMs }
              : { status: 'revoked', not_after: at },
          )
          .where('client_id', '=', row.id)
          .where('status', '=', 'active')
          .execute();
        await trx.insertInto('client_credentials').values(credential).execute();
        await trx
          .updateTable('clients')
          .set((eb) => ({ updated_at: at, version: eb('version', '+', 1) }))
          .where('id', '=', row.id)
          .execute();
        await bumpClientsVersion(trx);
      }),
  };
}
