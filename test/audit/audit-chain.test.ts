import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointMessage } from '../../src/audit/audit-log.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { canonicalJson } from '../../src/audit/canonical.js';
import {
  createCheckpointKey,
  createSigner,
  publicKeyFingerprint,
} from '../../src/audit/checkpoint-signer.js';
import { appendMany, openFixture } from './helpers.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** 20 records, checkpoints at 5, 10, 15, 20. */
async function sealedLog() {
  const f = await openFixture(5);
  await appendMany(f.log, 20);
  await f.log.close();
  return f;
}

describe('audit hash chain and verify', () => {
  it('positive control: an untouched log verifies', async () => {
    const { store } = await sealedLog();
    const r = verifyAuditLog(store.sqlite);
    expect(r).toMatchObject({ ok: true, records: 20, checkpoints: 4, lastSeq: 20, unanchoredTail: 0 });
    await store.close();
  });

  it('each record hashes its canonical bytes and chains to the previous hash', async () => {
    const { store } = await sealedLog();
    const rows = store.sqlite.prepare('SELECT seq, data, hash FROM audit_log ORDER BY seq').all() as Array<{
      seq: number;
      data: string;
      hash: string;
    }>;
    let prev = '0'.repeat(64);
    for (const row of rows) {
      const body = JSON.parse(row.data) as { prevHash: string; seq: number };
      expect(canonicalJson(body)).toBe(row.data);
      expect(body.prevHash).toBe(prev);
      expect(sha(row.data)).toBe(row.hash);
      prev = row.hash;
    }
    await store.close();
  });

  it('detects an edited record at its seq (7)', async () => {
    const { store } = await sealedLog();
    store.sqlite
      .prepare(`UPDATE audit_log SET data = replace(data, '"bot-b"', '"bot-x"') WHERE seq = 7`)
      .run();
    expect(verifyAuditLog(store.sqlite)).toMatchObject({ ok: false, firstBadSeq: 7 });
    await store.close();
  });

  it('detects an edited record whose hash was recomputed at the next seq (8)', async () => {
    const { store } = await sealedLog();
    const row = store.sqlite.prepare('SELECT data FROM audit_log WHERE seq = 7').get() as { data: string };
    const data = row.data.replace('"bot-b"', '"bot-x"');
    store.sqlite.prepare('UPDATE audit_log SET data = ?, hash = ? WHERE seq = 7').run(data, sha(data));
    expect(verifyAuditLog(store.sqlite)).toMatchObject({ ok: false, firstBadSeq: 8 });
    await store.close();
  });

  it('detects a deleted record at the missing seq (7)', async () => {
    const { store } = await sealedLog();
    store.sqlite.prepare('DELETE FROM audit_log WHERE seq = 7').run();
    expect(verifyAuditLog(store.sqlite)).toMatchObject({ ok: false, firstBadSeq: 7 });
    await store.close();
  });

  it('detects reordered records at the first swapped seq (7)', async () => {
    const { store } = await sealedLog();
    const get = store.sqlite.prepare('SELECT data, hash FROM audit_log WHERE seq = ?');
    const a = get.get(7) as { data: string; hash: string };
    const b = get.get(8) as { data: string; hash: string };
    const set = store.sqlite.prepare('UPDATE audit_log SET data = ?, hash = ? WHERE seq = ?');
    set.run(b.data, b.hash, 7);
    set.run(a.data, a.hash, 8);
    expect(verifyAuditLog(store.sqlite)).toMatchObject({ ok: false, firstBadSeq: 7 });
    await store.close();
  });

  it('detects an inserted record that chains correctly at the displaced seq (8)', async () => {
    const { store } = await sealedLog();
    const db = store.sqlite;
    db.prepare('UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 7').run();
    db.prepare('UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000').run();
    const prev = db.prepare('SELECT hash FROM audit_log WHERE seq = 6').get() as { hash: string };
    const forged = canonicalJson({ kind: 'admin', actor: 'mallory', seq: 7, at: 1, prevHash: prev.hash });
    db.prepare('INSERT INTO audit_log (seq, at, data, hash) VALUES (7, 1, ?, ?)').run(forged, sha(forged));
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, firstBadSeq: 8 });
    await store.close();
  });

  it('detects truncation before the last checkpoint at the first removed seq (13)', async () => {
    const { store } = await sealedLog();
    store.sqlite.prepare('DELETE FROM audit_log WHERE seq > 12').run();
    expect(verifyAuditLog(store.sqlite)).toMatchObject({ ok: false, firstBadSeq: 13 });
    await store.close();
  });

  it('catches a whole rewritten chain suffix through the signed checkpoint (10)', async () => {
    const { store } = await sealedLog();
    const db = store.sqlite;
    const rows = db.prepare('SELECT seq, data FROM audit_log WHERE seq >= 7 ORDER BY seq').all() as Array<{
      seq: number;
      data: string;
    }>;
    let prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = 6').get() as { hash: string }).hash;
    for (const row of rows) {
      const body: Record<string, unknown> = {
        ...(JSON.parse(row.data) as Record<string, unknown>),
        prevHash: prev,
      };
      if (row.seq === 7) body.actor = 'nobody';
      const data = canonicalJson(body);
      prev = sha(data);
      db.prepare('UPDATE audit_log SET data = ?, hash = ? WHERE seq = ?').run(data, prev, row.seq);
    }
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, firstBadSeq: 10 });
    await store.close();
  });

  it('detects a checkpoint signed by a forged key', async () => {
    const { store } = await sealedLog();
    const db = store.sqlite;
    const mallory = createCheckpointKey();
    const signer = createSigner(mallory.privateKeyPem);
    const cp = db.prepare('SELECT seq, hash, at FROM audit_checkpoints WHERE seq = 10').get() as {
      seq: number;
      hash: string;
      at: number;
    };
    const sig = signer.sign(
      checkpointMessage(cp.seq, cp.hash, cp.at, publicKeyFingerprint(mallory.publicKeyPem)),
    );
    db.prepare('UPDATE audit_checkpoints SET public_key = ?, signature = ? WHERE seq = 10').run(
      mallory.publicKeyPem,
      sig,
    );
    expect(verifyAuditLog(db)).toMatchObject({ ok: false, firstBadSeq: 10 });
    expect(verifyAuditLog(db).problem).toMatch(/not pinned/);
    await store.close();
  });

  it('detects a checkpoint whose signed fields were altered', async () => {
    const { store } = await sealedLog();
    store.sqlite.prepare('UPDATE audit_checkpoints SET at = at + 1 WHERE seq = 15').run();
    expect(verifyAuditLog(store.sqlite)).toMatchObject({ ok: false, firstBadSeq: 15 });
    expect(verifyAuditLog(store.sqlite).problem).toMatch(/invalid signature/);
    await store.close();
  });

  it('rejects checkpoints when an explicit pinned fingerprint differs', async () => {
    const { store } = await sealedLog();
    expect(verifyAuditLog(store.sqlite, { pinnedFingerprint: 'ab'.repeat(32) }).ok).toBe(false);
    await store.close();
  });

  it('reports records after the last checkpoint as unanchored', async () => {
    const f = await openFixture(5);
    await appendMany(f.log, 7);
    expect(verifyAuditLog(f.store.sqlite)).toMatchObject({ ok: true, lastSeq: 7, unanchoredTail: 2 });
    await f.log.close();
    expect(verifyAuditLog(f.store.sqlite)).toMatchObject({ ok: true, unanchoredTail: 0, checkpoints: 2 });
    await f.store.close();
  });
});
