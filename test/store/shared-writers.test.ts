/**
 * Several writers on one store, on both engines: two audit writers (two pools, as two gateway
 * processes have) interleave appends into one chain that verifies and queries through Kysely;
 * an edited record is caught. On PostgreSQL, where they are shared: two usage trackers
 * reserving under one daily cap concurrently never pass it together, and two replay caches
 * accept a signed request once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { openStoreAuditLog, queryAuditStore, verifyAuditStore } from '../../src/audit/index.js';
import { createSharedUsageTracker } from '../../src/policy/index.js';
import {
  type AnyStore,
  createPgReplayCache,
  createPgUsageStore,
  type SqlStore,
} from '../../src/store/index.js';
import { initVault, openVault } from '../../src/vault/index.js';
import { describeStores } from './both-stores.js';

const masterKey = randomBytes(32).toString('base64');
const local = mkdtempSync(join(tmpdir(), 'kw-writers-'));
const asAny = (s: SqlStore): AnyStore => Object.assign(s, { dataDir: local }) as AnyStore;

async function unsealed(store: SqlStore) {
  const vault = openVault(store);
  await vault.unseal({ kind: 'key', base64: masterKey });
  return vault;
}

describeStores('several writers', (f) => {
  it('two audit writers append one chain that verifies, queries, and shows an edit', async () => {
    const a = await f.open();
    await initVault(a, { kind: 'key', base64: masterKey });
    const b = await f.reopen(a);
    const logA = await openStoreAuditLog(asAny(a), await unsealed(a), { audit: { checkpointEvery: 25 } });
    const logB = await openStoreAuditLog(asAny(b), await unsealed(b), { audit: { checkpointEvery: 25 } });
    const appends = [];
    for (let i = 0; i < 150; i++) {
      appends.push(logA.append({ kind: 'request', clientId: 'alpha', message: `a${i}` }));
      appends.push(logB.append({ kind: 'request', clientId: 'beta', message: `b${i}` }));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    const records = await Promise.all(appends);
    expect(new Set(records.map((r) => r.seq)).size).toBe(300);
    await logA.close();
    await logB.close();
    const verified = await verifyAuditStore(asAny(a), { checkpointEvery: 25 });
    expect(verified).toMatchObject({ ok: true, records: 300, lastSeq: 300 });
    expect(verified.checkpoints).toBeGreaterThanOrEqual(12);
    expect(await queryAuditStore(asAny(b), { clientId: 'beta' })).toHaveLength(150);
    expect((await queryAuditStore(asAny(a), { limit: 3, descending: true })).map((r) => r.seq)).toEqual([
      300, 299, 298,
    ]);

    await sql`UPDATE audit_log SET data = replace(data, '"b7"', '"b8"') WHERE seq IN (SELECT seq FROM audit_log WHERE data LIKE '%"b7"%')`.execute(
      a.db,
    );
    const tampered = await verifyAuditStore(asAny(a), { checkpointEvery: 25 });
    expect(tampered.ok).toBe(false);
    expect(tampered.problem).toMatch(/does not match its hash/);
  });

  it.runIf(f.dialect === 'postgres')(
    'two shared usage trackers never pass a daily cap together',
    async () => {
      const a = await f.open();
      const b = await f.reopen(a);
      const trackers = [a, b].map((s) => createSharedUsageTracker(createPgUsageStore(s.db)));
      const now = Date.now();
      const CAP = 1_000;
      let passed = 0;
      const attempt = async (i: number) => {
        const t = trackers[i % 2];
        if (!t?.lock) throw new Error('shared tracker without lock');
        const lease = await t.lock('bot', now);
        const used = t.snapshot('bot', now).dailyNotional;
        // Yield while holding the lease: without the lock, the other tracker would read the same total.
        await new Promise((r) => setTimeout(r, 1));
        if (used + 60 > CAP) return lease.abort();
        t.reserve('bot', now, { orders: 1, notional: 60 });
        passed += 1;
        await lease.commit();
      };
      await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(i)));
      expect(passed).toBe(Math.floor(CAP / 60));
      const row = await a.db
        .selectFrom('policy_usage')
        .select('amount')
        .where('client_id', '=', 'bot')
        .where('item', '=', 'notional')
        .executeTakeFirst();
      expect(row?.amount).toBe(passed * 60);
      const fresh = trackers[1];
      const lease = await fresh?.lock('bot', now + 1);
      expect(fresh?.snapshot('bot', now + 1)).toMatchObject({
        dailyNotional: passed * 60,
        ordersLastMinute: passed,
      });
      await lease?.abort();
    },
  );

  it.runIf(f.dialect === 'postgres')(
    'a signed request is accepted once across two gateways, and again after its window',
    async () => {
      const a = await f.open();
      const b = await f.reopen(a);
      let t = 1_000_000;
      const caches = [a, b].map((s) => createPgReplayCache(s.db, () => t));
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => caches[i % 2]?.accept('bot', 'sig-1', 5_000)),
      );
      expect(answers.filter(Boolean)).toHaveLength(1);
      expect(await caches[1]?.accept('other-bot', 'sig-1', 5_000)).toBe(true);
      t += 5_000;
      expect(await caches[0]?.accept('bot', 'sig-1', 5_000)).toBe(true);
      expect(await caches[1]?.accept('bot', 'sig-1', 5_000)).toBe(false);
    },
  );
});
