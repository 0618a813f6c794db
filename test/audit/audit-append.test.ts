import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { createSigner } from '../../src/audit/checkpoint-signer.js';
import { DB_FILE } from '../../src/store/db.js';
import { checkpointKey, hmac, openFixture, requestEvent } from './helpers.js';

describe('audit append', () => {
  it('never stores sensitive values in clear, only their HMAC', async () => {
    const { store, log, dir } = await openFixture();
    const keyId = 'kw_SENSITIVEKEYID0123456789';
    const address = 'bc1qSENSITIVEADDRESS9876543210';
    const rec = await log.append({
      kind: 'request',
      clientId: 'cl_a',
      sensitive: { clientKeyId: keyId, address },
    });
    expect(rec.hmacs).toEqual({ clientKeyId: hmac(keyId), address: hmac(address) });
    expect(JSON.stringify(rec)).not.toContain(keyId);
    await log.close();
    const bytes = readdirSync(dir)
      .filter((f) => f.startsWith(DB_FILE))
      .map((f) => readFileSync(join(dir, f)));
    expect(bytes.length).toBeGreaterThan(0);
    for (const b of bytes) {
      expect(b.includes(keyId)).toBe(false);
      expect(b.includes(address)).toBe(false);
    }
    // positive control: the HMAC itself is findable in the same bytes
    expect(bytes.some((b) => b.includes(hmac(address)))).toBe(true);
    await store.close();
  });

  it('group commit: 1000 concurrent appends get strictly sequential seqs and a valid chain', async () => {
    const { store, log } = await openFixture(100);
    const records = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => log.append(requestEvent(i + 1))),
    );
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (let i = 1; i < records.length; i++) expect(records[i]?.prevHash).toBe(records[i - 1]?.hash);
    await log.close();
    // All 1000 appends land in one group-commit transaction, and still no run of more than
    // checkpointEvery (100) records goes unsigned: verify counts on that to spot deleted checkpoints.
    expect(verifyAuditLog(store.sqlite, { checkpointEvery: 100 })).toMatchObject({
      ok: true,
      records: 1000,
      lastSeq: 1000,
      checkpoints: 10,
    });
    expect(store.sqlite.prepare('SELECT seq FROM audit_checkpoints').pluck().all()).toEqual(
      Array.from({ length: 10 }, (_, i) => (i + 1) * 100),
    );
    await store.close();
  });

  it('resolves only once the record is committed (visible to another connection)', async () => {
    const { store, log, dir } = await openFixture();
    const other = new SQLite(join(dir, DB_FILE), { readonly: true });
    const rec = await log.append(requestEvent(1));
    expect(other.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(rec.seq)).toEqual({
      hash: rec.hash,
    });
    other.close();
    await log.close();
    await store.close();
  });

  it('rejects (fail closed) when the database is closed', async () => {
    const { store, log } = await openFixture();
    await log.append(requestEvent(1));
    await store.close();
    await expect(log.append(requestEvent(2))).rejects.toMatchObject({ code: 'audit_unavailable' });
  });

  it('rejects (fail closed) when the database is read-only', async () => {
    const { store, log, dir } = await openFixture();
    await log.append(requestEvent(1));
    await log.close();
    const ro = new SQLite(join(dir, DB_FILE), { readonly: true });
    const roLog = createAuditLog(ro, { hmac, signer: createSigner(checkpointKey.privateKeyPem) });
    await expect(roLog.append(requestEvent(2))).rejects.toMatchObject({ code: 'audit_unavailable' });
    await roLog.close();
    ro.close();
    await store.close();
  });

  it('rejects after close()', async () => {
    const { store, log } = await openFixture();
    await log.close();
    await expect(log.append(requestEvent(1))).rejects.toMatchObject({ code: 'audit_unavailable' });
    await store.close();
  });

  it('rejects an unserialisable event without failing the others in its batch', async () => {
    const { store, log } = await openFixture();
    const results = await Promise.allSettled([
      log.append(requestEvent(1)),
      log.append(requestEvent(2, { notional: Number.NaN })),
      log.append(requestEvent(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await log.close();
    expect(verifyAuditLog(store.sqlite)).toMatchObject({ ok: true, records: 2 });
    await store.close();
  });

  it('refuses a checkpoint key that differs from the pinned one', async () => {
    const { store, log } = await openFixture();
    await log.close();
    const { createCheckpointKey } = await import('../../src/audit/checkpoint-signer.js');
    expect(() =>
      createAuditLog(store.sqlite, { hmac, signer: createSigner(createCheckpointKey().privateKeyPem) }),
    ).toThrow(/pinned fingerprint/);
    await store.close();
  });
});
