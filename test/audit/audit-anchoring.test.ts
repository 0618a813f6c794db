/**
 * Audit anchoring (issue 10, item 1): someone with write access to the database but not the
 * master key rewrites history. Each attack makes `keywarden audit verify` exit non-zero with one
 * line naming what is wrong; each is paired with an honest log that verifies. The pins come
 * from outside the database: keywarden.yaml's `audit:` section or flags.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createFileAnchor } from '../../src/audit/audit-anchor.js';
import { type AuditLogHandle, checkpointMessage, createAuditLog } from '../../src/audit/audit-log.js';
import { canonicalJson } from '../../src/audit/canonical.js';
import {
  createCheckpointKey,
  createSigner,
  publicKeyFingerprint,
} from '../../src/audit/checkpoint-signer.js';
import { openAuditLog } from '../../src/audit/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { openVault } from '../../src/vault/vault.js';
import { checkpointKey, hmac, requestEvent } from './helpers.js';

const exec = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const PIN = publicKeyFingerprint(checkpointKey.publicKeyPem);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The CLI with no KEYWARDEN_* variables and no ./keywarden.yaml: only what the test passes counts. */
async function verify(dataDir: string, args: string[] = []) {
  const cwd = mkdtempSync(join(tmpdir(), 'kw-cwd-'));
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [MAIN, '--data-dir', dataDir, 'audit', 'verify', ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** keywarden.yaml with an `audit:` section, in a directory of its own. */
function config(audit: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kw-cfg-')), 'keywarden.yaml');
  const lines = Object.entries(audit).map(
    ([k, v]) => `  ${k}: ${typeof v === 'string' ? JSON.stringify(v) : v}`,
  );
  writeFileSync(file, `audit:\n${lines.join('\n')}\n`);
  return file;
}

interface Log {
  dir: string;
  store: Store;
  log: AuditLogHandle;
}

/** An honest log: `n` records, a checkpoint every `every`, optionally copied to an anchor file. */
async function honestLog(
  n: number,
  options: { every?: number; anchorFile?: string; signerPem?: string; close?: boolean } = {},
): Promise<Log> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-anchor-'));
  const store = await openStore(dir);
  let t = Date.UTC(2026, 11, 1, 8, 0);
  const log = createAuditLog(store.sqlite, {
    hmac,
    signer: createSigner(options.signerPem ?? checkpointKey.privateKeyPem),
    clock: () => (t += 1000),
    checkpointEvery: options.every ?? 5,
    checkpointIntervalMs: 3_600_000,
    ...(options.anchorFile ? { anchor: createFileAnchor(options.anchorFile, dir) } : {}),
  });
  for (let i = 1; i <= n; i++) await log.append(requestEvent(i));
  if (options.close !== false) await log.close();
  return { dir, store, log };
}

/** Rewrite record `seq` and re-chain everything after it (no key needed: the chain is plain SHA-256). */
function rewriteAndRechain(store: Store, seq: number): void {
  const db = store.sqlite;
  const rows = db.prepare('SELECT seq, data FROM audit_log WHERE seq >= ? ORDER BY seq').all(seq) as Array<{
    seq: number;
    data: string;
  }>;
  let prev = (db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(seq - 1) as { hash: string }).hash;
  for (const row of rows) {
    const body: Record<string, unknown> = {
      ...(JSON.parse(row.data) as Record<string, unknown>),
      prevHash: prev,
    };
    if (row.seq === seq) body.decision = 'allow';
    const data = canonicalJson(body);
    prev = sha(data);
    db.prepare('UPDATE audit_log SET data = ?, hash = ? WHERE seq = ?').run(data, prev, row.seq);
  }
}

/** Replace every checkpoint with one signed by the attacker's key, and re-pin audit_meta to it. */
function resignWithOwnKey(store: Store): void {
  const db = store.sqlite;
  const mallory = createCheckpointKey();
  const signer = createSigner(mallory.privateKeyPem);
  const fp = publicKeyFingerprint(mallory.publicKeyPem);
  const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as {
    seq: number;
    hash: string;
  };
  db.prepare('DELETE FROM audit_checkpoints').run();
  const insert = db.prepare(
    'INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)',
  );
  const hashAt = db.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck();
  for (let seq = 5; seq <= head.seq; seq += 5) {
    const hash = hashAt.get(seq) as string;
    insert.run(seq, hash, seq, mallory.publicKeyPem, signer.sign(checkpointMessage(seq, hash, seq, fp)));
  }
  db.prepare("UPDATE audit_meta SET value = ? WHERE key = 'checkpoint_key_fingerprint'").run(fp);
}

function expectTampered(r: { code: number; stderr: string }, reason: RegExp): void {
  expect(r.code).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^keywarden: audit log TAMPERED/);
  expect(lines[0]).toMatch(reason);
}

describe('audit verify: rewritten, re-chained log with its checkpoints deleted', () => {
  it('positive control: the honest log verifies, quietly, against the pinned fingerprint', async () => {
    const { dir, store } = await honestLog(20);
    await store.close();
    const r = await verify(dir, ['--config', config({ checkpointEvery: 5, checkpointKeyFingerprint: PIN })]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit log OK: 20 records, 4 checkpoints/);
  });

  it('fails when every checkpoint is gone (the attack that used to pass)', async () => {
    const { dir, store } = await honestLog(20);
    rewriteAndRechain(store, 8);
    store.sqlite.prepare('DELETE FROM audit_checkpoints').run();
    await store.close();
    const r = await verify(dir, ['--config', config({ checkpointEvery: 5, checkpointKeyFingerprint: PIN })]);
    expectTampered(r, /no checkpoint covers any of the 20 records .*checkpoints were deleted/);
  });

  it('fails with the default interval too (250 records, checkpoints every 100, none left)', async () => {
    const honest = await honestLog(250, { every: 100 });
    await honest.store.close();
    expect((await verify(honest.dir, ['--fingerprint', PIN])).code).toBe(0);

    const { dir, store } = await honestLog(250, { every: 100 });
    rewriteAndRechain(store, 8);
    store.sqlite.prepare('DELETE FROM audit_checkpoints').run();
    await store.close();
    expectTampered(await verify(dir, ['--fingerprint', PIN]), /no checkpoint covers any of the 250 records/);
  });

  it('fails when one checkpoint in the middle is deleted', async () => {
    const { dir, store } = await honestLog(20);
    store.sqlite.prepare('DELETE FROM audit_checkpoints WHERE seq = 10').run();
    await store.close();
    const r = await verify(dir, ['--config', config({ checkpointEvery: 5, checkpointKeyFingerprint: PIN })]);
    expectTampered(r, /at seq 6: records 6 to 15 have no checkpoint/);
  });
});

describe('audit verify: checkpoints re-signed with another key', () => {
  it('fails against a fingerprint pinned in keywarden.yaml, and against --fingerprint', async () => {
    const { dir, store } = await honestLog(20);
    rewriteAndRechain(store, 8);
    resignWithOwnKey(store);
    await store.close();
    expectTampered(
      await verify(dir, ['--config', config({ checkpointEvery: 5, checkpointKeyFingerprint: PIN })]),
      /signed by a key that is not pinned/,
    );
    expectTampered(
      await verify(dir, ['--fingerprint', PIN.toUpperCase(), '--checkpoint-every', '5']),
      /signed by a key that is not pinned/,
    );
  });

  it('without a pin outside the store it cannot tell, and says so on stderr', async () => {
    const { dir, store } = await honestLog(20);
    rewriteAndRechain(store, 8);
    resignWithOwnKey(store);
    await store.close();
    const r = await verify(dir, ['--checkpoint-every', '5']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: no checkpoint key fingerprint pinned outside the store/);
  });

  it('fails on an honest log signed by a key other than the pinned one', async () => {
    const other = createCheckpointKey();
    const { dir, store } = await honestLog(20, { signerPem: other.privateKeyPem });
    await store.close();
    expectTampered(
      await verify(dir, ['--fingerprint', PIN]),
      /at seq 5: .*signed by a key that is not pinned/,
    );
    // Positive control: the same log against its own key's fingerprint.
    const own = await verify(dir, ['--fingerprint', publicKeyFingerprint(other.publicKeyPem)]);
    expect(own.code).toBe(0);
    expect(own.stderr).toBe('');
  });

  it('fails on a store pinned to another key before its first checkpoint', async () => {
    const other = createCheckpointKey();
    const { dir, store, log } = await honestLog(3, { signerPem: other.privateKeyPem, close: false });
    expectTampered(
      await verify(dir, ['--fingerprint', PIN]),
      /the store pins checkpoint key [0-9a-f]{64}, not/,
    );
    expect((await verify(dir, ['--fingerprint', publicKeyFingerprint(other.publicKeyPem)])).code).toBe(0);
    await log.close();
    await store.close();
  });

  it('refuses a malformed --fingerprint as a usage error', async () => {
    const { dir, store } = await honestLog(3);
    await store.close();
    const r = await verify(dir, ['--fingerprint', 'abc']);
    expect(r.code).toBe(2);
  });
});

describe('audit verify: unanchored tail', () => {
  it('positive control: a tail shorter than the interval (the one in progress) passes', async () => {
    const { dir, store, log } = await honestLog(24, { close: false });
    const r = await verify(dir, ['--config', config({ checkpointEvery: 5, checkpointKeyFingerprint: PIN })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 records after the last checkpoint');
    await log.close();
    await store.close();
  });

  it('fails when the newest checkpoints are deleted, leaving a longer tail', async () => {
    const { dir, store } = await honestLog(20);
    store.sqlite.prepare('DELETE FROM audit_checkpoints WHERE seq > 10').run();
    await store.close();
    const r = await verify(dir, ['--config', config({ checkpointEvery: 5, checkpointKeyFingerprint: PIN })]);
    expectTampered(
      r,
      /at seq 11: 10 records after the last checkpoint \(seq 10\), more than checkpointEvery 5/,
    );
  });
});

describe('audit verify: anchor file', () => {
  const anchorPath = () => join(mkdtempSync(join(tmpdir(), 'kw-anchorfile-')), 'audit-anchor.jsonl');

  it('positive control: the writer copies each checkpoint, and they all match', async () => {
    const anchorFile = anchorPath();
    const { dir, store } = await honestLog(20, { anchorFile });
    await store.close();
    const lines = readFileSync(anchorFile, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([5, 10, 15, 20]);
    const r = await verify(dir, [
      '--config',
      config({ checkpointEvery: 5, checkpointKeyFingerprint: PIN, anchorFile }),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 checkpoints match the anchor file');
  });

  it('catches a truncated tail with its last checkpoint deleted, which the store alone cannot', async () => {
    const anchorFile = anchorPath();
    const { dir, store } = await honestLog(20, { anchorFile });
    store.sqlite.prepare('DELETE FROM audit_log WHERE seq > 15').run();
    store.sqlite.prepare('DELETE FROM audit_checkpoints WHERE seq > 15').run();
    await store.close();
    const cfg = { checkpointEvery: 5, checkpointKeyFingerprint: PIN };
    // Without the anchor the truncation is invisible...
    expect((await verify(dir, ['--config', config(cfg)])).code).toBe(0);
    // ...with it, it is named.
    expectTampered(
      await verify(dir, ['--config', config({ ...cfg, anchorFile })]),
      /at seq 20: checkpoint at seq 20 in the anchor file is missing from the store/,
    );
  });

  it('catches a store rewritten and re-signed wholesale, even with no fingerprint pinned', async () => {
    const anchorFile = anchorPath();
    const { dir, store } = await honestLog(20, { anchorFile });
    rewriteAndRechain(store, 8);
    resignWithOwnKey(store);
    await store.close();
    const r = await verify(dir, ['--anchor-file', anchorFile, '--checkpoint-every', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /TAMPERED at seq 5: checkpoint at seq 5 differs from the one in the anchor file/,
    );
  });

  it('fails when the anchor file is gone but the store has checkpoints', async () => {
    const { dir, store } = await honestLog(10);
    await store.close();
    expectTampered(
      await verify(dir, ['--fingerprint', PIN, '--anchor-file', anchorPath()]),
      /anchor file .* is missing, but the store has 2 checkpoints/,
    );
  });

  it('refuses an anchor file inside the data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-anchor-in-'));
    expect(() => createFileAnchor(join(dir, 'anchor.jsonl'), dir)).toThrow(/outside the data directory/);
    expect(() => createFileAnchor(anchorPath(), dir)).not.toThrow();
  });
});

describe('keywarden init prints the fingerprint to pin', () => {
  it('is the key the gateway signs with; a log opened against another pin is refused', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kw-init-')), 'data');
    const master = randomBytes(32).toString('base64');
    const { stdout } = await exec(process.execPath, [MAIN, '--data-dir', dir, 'init'], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', KEYWARDEN_MASTER_KEY: master },
    });
    const printed = /audit checkpoint key fingerprint: ([0-9a-f]{64})\n/.exec(stdout)?.[1];
    expect(printed).toBeDefined();
    expect(stdout).toContain(`checkpointKeyFingerprint: ${printed}`);
    expect(stdout).not.toContain(master);

    const store = await openStore(dir);
    const vault = openVault(store);
    await vault.unseal({ kind: 'key', base64: master });
    const audit = { checkpointEvery: 5, checkpointKeyFingerprint: printed as string };
    expect(() =>
      openAuditLog(store, vault, { audit: { ...audit, checkpointKeyFingerprint: 'ab'.repeat(32) } }),
    ).toThrow(/does not match audit.checkpointKeyFingerprint/);
    const log = openAuditLog(store, vault, { audit });
    for (let i = 1; i <= 12; i++) await log.append(requestEvent(i));
    await log.close();
    vault.seal();
    await store.close();
    const r = await verify(dir, ['--config', config(audit)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audit log OK: 12 records, 3 checkpoints/);
  });
});
