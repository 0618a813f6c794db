/**
 * The domain stores (src/keys, src/clients, src/rotation, src/lockdown writes) on SQLite and on
 * PostgreSQL, and the `immediate` write transaction they share: a read-check-write from two
 * connections (two pools, as two gateway processes have) never interleaves.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createClientsStore } from '../../src/clients/clients-store.js';
import { createKeysStore } from '../../src/keys/keys-store.js';
import { createLockdownStore } from '../../src/lockdown/lockdown-store.js';
import { switchCredential } from '../../src/rotation/rotation-store.js';
import type { CredentialsTable, SqlStore, Store } from '../../src/store/index.js';
import { immediate } from '../../src/store/index.js';
import { describeStores } from './both-stores.js';
import { client, credential, T0 } from './rows.js';

const key = (id: string, label: string): CredentialsTable => ({
  id,
  label,
  exchange: 'binance',
  environment: 'prod',
  owner: null,
  notes: null,
  fingerprint: `fp-${id}`,
  last4: 'abcd',
  version: 1,
  status: 'active',
  envelope: 'env-1',
  created_at: T0,
  rotated_at: null,
  retired_at: null,
});

const version = async (s: SqlStore) =>
  Number((await s.db.selectFrom('clients_version').select('version').executeTakeFirstOrThrow()).version);

const ok = () => undefined;

describeStores('domain stores', (f) => {
  it('no migrated column is a 32-bit integer on PostgreSQL (a time in ms overflows it)', async () => {
    const s = await f.open();
    if (f.dialect !== 'postgres') return;
    const narrow = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and data_type = 'integer'
        and table_name <> 'kysely_migration_lock'`.execute(s.db);
    expect(narrow.rows.map((r) => `${r.table_name}.${r.column_name}`)).toEqual([]);
  });

  it('keys: insert, refuse a taken label, list, retire', async () => {
    const s = await f.open();
    const keys = createKeysStore(s.db);
    await keys.insert(key('k1', 'main'));
    await expect(keys.insert(key('k2', 'main'))).rejects.toMatchObject({ code: 'duplicate' });
    expect((await keys.byRef('main'))?.created_at).toBe(T0);
    await keys.retire('k1', T0 + 1);
    expect(await keys.list(false)).toEqual([]);
    expect((await keys.list(true)).map((k) => k.status)).toEqual(['retired']);
  });

  it('clients: every change bumps clients_version in its transaction; a refused one does not', async () => {
    const s = await f.open();
    const clients = createClientsStore(s.db);
    const v0 = await version(s);
    await clients.insert(client('c1', 'bot'), credential('x1', 'c1'));
    await clients.setStatus('bot', 'frozen', T0 + 5, ok);
    expect(await version(s)).toBe(v0 + 2);
    await expect(
      clients.setStatus('bot', 'active', T0 + 6, () => {
        throw new Error('guard refused');
      }),
    ).rejects.toThrow('guard refused');
    expect(await version(s)).toBe(v0 + 2);
    const row = await clients.byRef('c1');
    expect(row).toMatchObject({ status: 'frozen', version: 2, rate_per_second: 2.5, updated_at: T0 + 5 });
    await clients.setStatus('c1', 'revoked', T0 + 7, ok);
    expect((await clients.credentialsOf('c1')).map((c) => c.status)).toEqual(['revoked']);
  });

  it('rotation: the switch is refused when the key moved meanwhile', async () => {
    const s = await f.open();
    await createKeysStore(s.db).insert(key('k1', 'main'));
    const sw = {
      keyId: 'k1',
      fromVersion: 1,
      label: 'main',
      envelope: 'env-2',
      fingerprint: 'fp2',
      last4: 'wxyz',
    };
    const { row } = await switchCredential(s.db, { ...sw, at: T0 + 1, graceUntil: T0 + 60_000 });
    expect(row.version).toBe(2);
    await expect(switchCredential(s.db, { ...sw, at: T0 + 2, graceUntil: T0 + 2 })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(await createKeysStore(s.db).retiring('k1', 1, T0 + 30_000)).toMatchObject({ envelope: 'env-1' });
  });

  it('lockdown writes: freeze the clients in scope in one transaction', async () => {
    const s = await f.open();
    const clients = createClientsStore(s.db);
    await clients.insert(client('c1', 'a'), credential('x1', 'c1'));
    await clients.insert(client('c2', 'b'), credential('x2', 'c2'));
    const lockdowns = createLockdownStore(s as Store);
    const frozen = await lockdowns.write(async (q) => {
      const inScope = await q.clientsInScope({ keyId: 'k1' });
      await q.setStatus(
        inScope.map((c) => c.id),
        'active',
        'frozen',
        T0 + 9,
      );
      return (await q.clientsById(['c1', 'c2'])).size;
    });
    expect(frozen).toBe(2);
    expect((await clients.list()).map((c) => c.status)).toEqual(['frozen', 'frozen']);
  });

  // Two SQLite connections in one thread cannot wait for each other (busy_timeout blocks the
  // only thread that could release the lock): SQLite's cross-process case is covered with child
  // processes in test/clients/client-change-under-audit-load.test.ts and test/store/nonce-sequence.test.ts.
  it.skipIf(f.dialect === 'sqlite')(
    'immediate: read-then-write transactions from two pools never lose an update',
    async () => {
      const a = await f.open();
      const b = await f.reopen(a);
      const start = await version(a);
      const bumpByReadingFirst = (s: SqlStore) =>
        immediate(s.db, async (trx) => {
          const v = Number(
            (await trx.selectFrom('clients_version').select('version').executeTakeFirstOrThrow()).version,
          );
          // Give the other connection every chance to read the same value before this write.
          if (s.dialect === 'postgres') await sql`SELECT pg_sleep(0.002)`.execute(trx);
          await trx
            .updateTable('clients_version')
            .set({ version: v + 1 })
            .where('id', '=', 1)
            .execute();
        });
      const rounds = 15;
      await Promise.all(
        Array.from({ length: rounds }, () => [bumpByReadingFirst(a), bumpByReadingFirst(b)]).flat(),
      );
      expect(await version(a)).toBe(start + rounds * 2);
    },
  );

  it('immediate: a throw rolls the whole transaction back', async () => {
    const s = await f.open();
    const before = await version(s);
    await expect(
      immediate(s.db, async (trx) => {
        await trx.updateTable('clients_version').set({ version: 999 }).where('id', '=', 1).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await version(s)).toBe(before);
  });
});
