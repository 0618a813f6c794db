import { describe, expect, it } from 'vitest';
import { parseCsv, queryAudit, toCsv, toJsonl } from '../../src/audit/audit-query.js';
import type { AuditRecord } from '../../src/audit/audit-types.js';
import { appendMany, openFixture } from './helpers.js';

describe('audit query and export', () => {
  it('filters by client, action, decision, key and time', async () => {
    const { store, log } = await openFixture();
    await appendMany(log, 24);
    await log.append({
      kind: 'admin',
      actor: 'ops',
      action: 'client.freeze',
      detail: { reason: 'a "quoted", comma' },
    });
    const all = queryAudit(store.sqlite);
    expect(all).toHaveLength(25);
    const a = queryAudit(store.sqlite, { clientId: 'cl_a' });
    expect(a.length).toBe(12);
    expect(a.every((r) => r.clientId === 'cl_a')).toBe(true);
    const denied = queryAudit(store.sqlite, { decision: 'deny', action: 'trade' });
    expect(denied.every((r) => r.decision === 'deny' && r.action === 'trade')).toBe(true);
    expect(denied.map((r) => r.seq)).toEqual([4, 8, 16, 20]);
    expect(queryAudit(store.sqlite, { keyId: 'key_1' })).toHaveLength(24);
    const t5 = all[4]?.at ?? 0;
    const t10 = all[9]?.at ?? 0;
    expect(queryAudit(store.sqlite, { since: t5, until: t10 }).map((r) => r.seq)).toEqual([5, 6, 7, 8, 9]);
    expect(queryAudit(store.sqlite, { limit: 3, descending: true }).map((r) => r.seq)).toEqual([25, 24, 23]);
    await log.close();
    await store.close();
  });

  it('JSONL export round-trips exactly', async () => {
    const { store, log } = await openFixture();
    await appendMany(log, 10);
    const records = queryAudit(store.sqlite, { clientId: 'cl_b' });
    const back = toJsonl(records)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(back).toEqual(records);
    expect(back).toHaveLength(5);
    await log.close();
    await store.close();
  });

  it('CSV export round-trips, including quotes, commas, objects and formula-looking text', async () => {
    const { store, log } = await openFixture();
    await appendMany(log, 6);
    await log.append({
      kind: 'admin',
      actor: 'ops',
      action: 'client.freeze',
      message: '=HYPERLINK("x"), then\nnewline',
      detail: { reason: 'a "quoted", comma' },
      sensitive: { address: 'bc1qx' },
    });
    const records = queryAudit(store.sqlite, { since: 0 });
    const back = parseCsv(toCsv(records));
    expect(back).toEqual(records);
    const admin = parseCsv(toCsv(queryAudit(store.sqlite, { kind: 'admin' })));
    expect(admin).toHaveLength(1);
    expect(admin[0]?.detail).toEqual({ reason: 'a "quoted", comma' });
    await log.close();
    await store.close();
  });
});
