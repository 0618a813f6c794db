/**
 * A CLI client change while a gateway (another connection, here a worker thread) holds the
 * write lock to append audit records: the change's BEGIN IMMEDIATE waits for the lock (the
 * store's busy_timeout) and succeeds. The control shows the contention is real: a deferred
 * transaction of the same shape (read the client, then write it, as Kysely's db.transaction()
 * runs it) fails at once with SQLITE_BUSY under the same lock, busy_timeout or not.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog, createCheckpointKey, createSigner } from '../../src/audit/index.js';
import { type ClientService, createClientService, createVersionReader } from '../../src/clients/index.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { DB_FILE, openStore, type Store } from '../../src/store/index.js';
import { fakeKeys, fakeVault } from '../gateway/fakes.js';

const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

/** What the gateway's audit group commit does: BEGIN IMMEDIATE, an insert, then (here) a pause before ending. */
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file);
db.exec('BEGIN IMMEDIATE');
db.prepare('INSERT INTO audit_meta (key, value) VALUES (?, ?)').run('holder', 'x');
parentPort.postMessage('locked');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
db.exec('ROLLBACK');
db.close();
parentPort.postMessage('released');
`;

/** Hold the database's write lock from another thread for `holdMs`; resolves once it is held. */
async function holdWriteLock(file: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const worker = new Worker(HOLDER, { eval: true, workerData: { sqlitePath, file, holdMs } });
  let released!: () => void;
  const done = new Promise<void>((r) => {
    released = r;
  });
  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m) => (m === 'locked' ? resolve() : released()));
    worker.on('error', reject);
  });
  return { released: done };
}

let store: Store;
let clients: ClientService;

beforeEach(async () => {
  store = await openStore(mkdtempSync(join(tmpdir(), 'kw-busy-')));
  const vault = fakeVault();
  const keys = fakeKeys();
  keys.put('bn', 'binance', { apiKey: 'A'.repeat(64), secret: 'S'.repeat(64) }, 'prod');
  clients = createClientService({
    db: store.db,
    readVersion: createVersionReader(store.sqlite),
    vault,
    keys,
    audit: createAuditLog(store.sqlite, {
      hmac: (v) => vault.auditHmac(v),
      signer: createSigner(createCheckpointKey().privateKeyPem),
    }),
    adapterFor,
  });
  await clients.add({ name: 'bot', key: 'bn', policy: { mode: 'enforce', actions: ['public', 'read'] } });
});
afterEach(() => store.close());

describe('a client change while another connection appends audit records', () => {
  it('waits for the write lock and succeeds', async () => {
    const v0 = clients.version();
    const lock = await holdWriteLock(join(store.dataDir, DB_FILE), 300);
    const frozen = await clients.freeze('bot');
    expect(frozen.status).toBe('frozen');
    expect(clients.version()).toBeGreaterThan(v0);
    await lock.released;
  });

  it('control: a deferred read-then-write transaction fails with SQLITE_BUSY under the same lock', async () => {
    const lock = await holdWriteLock(join(store.dataDir, DB_FILE), 300);
    const deferred = store.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('clients')
        .selectAll()
        .where('name', '=', 'bot')
        .executeTakeFirstOrThrow();
      await trx.updateTable('clients').set({ status: 'frozen' }).where('id', '=', row.id).execute();
    });
    await expect(deferred).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    await lock.released;
    expect((await clients.get('bot'))?.status).toBe('active');
  });
});
