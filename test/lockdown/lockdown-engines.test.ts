/**
 * The lockdown service and its incident report on SQLite and on PostgreSQL, through the same
 * code: the freeze in one write transaction that bumps `clients_version` (on PostgreSQL a second
 * pool's version watch, as another gateway runs it, is told by NOTIFY), `list`, the incident
 * report read back from the audit trail (with the exchange's status from an outcome record, the
 * per-dialect JSON field query), and unlock restoring exactly what the lockdown froze.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type AuditLogHandle, openStoreAuditLog } from '../../src/audit/index.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { createKeyRegistry } from '../../src/keys/index.js';
import { createLockdownService } from '../../src/lockdown/index.js';
import { upstreamStatuses } from '../../src/lockdown/lockdown-store.js';
import {
  type AnyStore,
  type PgStore,
  readClientsVersion,
  type SqlStore,
  type Store,
  watchClientsVersion,
} from '../../src/store/index.js';
import { initVault, openVault, type Vault } from '../../src/vault/index.js';
import { describeStores } from '../store/both-stores.js';
import { client, credential } from '../store/rows.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The fixture's store as a process opens it: with a data directory of its own (incident reports). */
function asAnyStore(s: SqlStore): AnyStore {
  if (s.dialect === 'sqlite') return s as Store;
  const dataDir = mkdtempSync(join(tmpdir(), 'kw-ld-pg-'));
  dirs.push(dataDir);
  return Object.assign(s as PgStore, { dataDir });
}

interface World {
  store: AnyStore;
  vault: Vault;
  audit: AuditLogHandle;
  keyId: string;
}

async function world(s: SqlStore): Promise<World> {
  const store = asAnyStore(s);
  const source = { kind: 'key' as const, base64: randomBytes(32).toString('base64') };
  await initVault(store, source);
  const vault = openVault(store);
  await vault.unseal(source);
  const keys = createKeyRegistry(store, vault);
  const key = await keys.add(
    { label: 'main', exchange: 'binance', environment: 'prod' },
    { apiKey: randomBytes(32).toString('hex'), secret: randomBytes(32).toString('hex') },
  );
  // Two clients of the key, one of another key (rows.ts clients use key k1).
  await store.db
    .insertInto('clients')
    .values([
      { ...client('c1', 'bot-a'), key_id: key.id },
      { ...client('c2', 'bot-b'), key_id: key.id },
      client('c3', 'other'),
    ])
    .execute();
  await store.db
    .insertInto('client_credentials')
    .values([credential('x1', 'c1'), credential('x2', 'c2'), credential('x3', 'c3')])
    .execute();
  const audit = await openStoreAuditLog(store, vault);
  return { store, vault, audit, keyId: key.id };
}

const statuses = async (s: SqlStore) =>
  Object.fromEntries(
    (await s.db.selectFrom('clients').select(['name', 'status']).orderBy('name').execute()).map((r) => [
      r.name,
      r.status,
    ]),
  );

describeStores(
  'lockdown on either engine',
  (f) => {
    it('freezes a key’s clients, lists the lockdown, reports from the audit trail, unlock restores', async () => {
      const s = await f.open();
      const w = await world(s);
      const now = Date.now();
      await w.audit.append({
        kind: 'request',
        requestId: 'req_order1',
        actor: 'bot-a',
        clientId: 'c1',
        keyId: w.keyId,
        exchange: 'binance',
        action: 'trade',
        symbol: 'BTCUSDT',
        side: 'BUY',
        notional: 60,
        decision: 'allow',
        sourceIp: '203.0.113.7',
      });
      await w.audit.append({ kind: 'outcome', requestId: 'req_order1', clientId: 'c1', upstreamStatus: 418 });
      await w.audit.append({
        kind: 'request',
        requestId: 'req_deny1',
        actor: 'bot-b',
        clientId: 'c2',
        action: 'withdraw',
        decision: 'deny',
        rule: 'action_denied',
        sourceIp: '203.0.113.8',
      });
      // The other key's client is out of scope: never in the report.
      await w.audit.append({
        kind: 'request',
        requestId: 'req_other',
        actor: 'other',
        clientId: 'c3',
        action: 'read',
        decision: 'allow',
        sourceIp: '198.51.100.99',
      });
      const before = await readClientsVersion(s.db);
      const service = createLockdownService({
        store: w.store,
        keys: createKeyRegistry(w.store, w.vault),
        audit: w.audit,
        adapterFor,
        actor: 'cli:test',
      });

      const { lockdown: l, warnings } = await service.lockdown({
        scope: { kind: 'key', ref: 'main' },
        reason: 'leaked',
      });
      expect(warnings).toEqual([]);
      expect(l.frozen.sort()).toEqual(['bot-a', 'bot-b']);
      expect(await statuses(s)).toEqual({ 'bot-a': 'frozen', 'bot-b': 'frozen', other: 'active' });
      expect(await readClientsVersion(s.db)).toBeGreaterThan(before);

      const [listed] = await service.list({ active: true });
      expect(listed).toMatchObject({
        id: l.id,
        scope: 'key',
        frozen: expect.arrayContaining(['bot-a', 'bot-b']),
      });
      expect(listed?.reportPath).toBe(l.reportPath);

      const report = readFileSync(l.reportPath ?? '', 'utf8');
      expect(report).toContain('2 request(s) from the affected clients');
      expect(report).toContain('203.0.113.7');
      expect(report).toContain('action_denied');
      // The exchange's status came from the outcome record (upstreamStatuses on this engine).
      expect(report).toContain('418');
      expect(report).not.toContain('198.51.100.99');
      expect(await upstreamStatuses(s, ['req_order1', 'req_deny1', 'req_none'], now - 60_000)).toEqual(
        new Map([['req_order1', 418]]),
      );

      const unlocked = await service.unlock({ scope: { kind: 'key', ref: 'main' }, reason: 'rotated' });
      expect(unlocked.unfrozen.sort()).toEqual(['bot-a', 'bot-b']);
      expect(await statuses(s)).toEqual({ 'bot-a': 'active', 'bot-b': 'active', other: 'active' });
      expect(await service.list({ active: true })).toEqual([]);
      expect((await service.list()).map((x) => x.endedAt !== undefined)).toEqual([true]);
      await w.audit.close();
      w.vault.seal();
    });

    it.skipIf(f.dialect === 'sqlite')(
      'a lockdown through one pool reaches another pool’s version watch by NOTIFY, well within 100 ms',
      async () => {
        const s = await f.open();
        const w = await world(s);
        // Another gateway: its own pool on the same database, watching with no polling to speak of.
        const other = (await f.reopen(s)) as PgStore;
        let seen: number | undefined;
        const watch = await watchClientsVersion(other, {
          fallbackMs: 60_000,
          onChange: () => {
            seen ??= Date.now();
          },
        });
        try {
          const start = watch.version();
          const service = createLockdownService({
            store: w.store,
            keys: createKeyRegistry(w.store, w.vault),
            audit: w.audit,
            adapterFor,
          });
          await service.lockdown({ scope: { kind: 'all' }, reason: 'drill' });
          const returned = Date.now();
          while (seen === undefined && Date.now() - returned < 2_000)
            await new Promise((r) => setTimeout(r, 2));
          expect(seen, 'the watch was never told').toBeDefined();
          expect((seen ?? Number.POSITIVE_INFINITY) - returned).toBeLessThan(100);
          expect(watch.version()).toBeGreaterThan(start);
        } finally {
          await watch.close();
          await w.audit.close();
          w.vault.seal();
        }
      },
    );
  },
  { databasePrefix: 'kw_pgadmin_ld' },
);
