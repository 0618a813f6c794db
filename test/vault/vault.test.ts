import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { KeywardenError } from '../../src/core/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { freshNonce, initVault, openVault, rotateMaster } from '../../src/vault/vault.js';
import type { MasterKeySource } from '../../src/vault/vault-types.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function envKey(name: string): MasterKeySource {
  process.env[name] = randomBytes(32).toString('base64');
  return { kind: 'env', variable: name };
}

async function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'kw-vault-'));
  const store = await openStore(join(dir, 'data'));
  stores.push(store);
  const src = envKey(`KW_TEST_MK_${randomBytes(4).toString('hex')}`);
  await initVault(store, src);
  const vault = openVault(store);
  await vault.unseal(src);
  return { dir, store, vault, src };
}

const id = { id: 'credential:a', version: 1, exchange: 'binance', label: 'a' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof KeywardenError ? e.code : 'other';
  }
  return undefined;
}

describe('vault', () => {
  it('round-trips arbitrary secrets', async () => {
    const { vault } = await fresh();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const b = Buffer.from(bytes);
        expect(vault.decrypt(id, vault.encrypt(id, b)).equals(b)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never repeats a nonce across 100k encryptions (data nonces and master-key wrap nonces)', async () => {
    const { vault } = await fresh();
    // Every wrap uses the one master key, so its nonces are the ones that must never collide.
    const wrapNonces = new Set<string>();
    const dataNonces = new Set<string>();
    const plain = Buffer.from('x');
    for (let i = 0; i < 100_000; i++) {
      const env = JSON.parse(vault.encrypt(id, plain).envelope) as { n: string; wk: string };
      const wrapNonce = env.wk.split('.')[0] ?? '';
      if (i < 100) {
        expect(Buffer.from(env.n, 'base64')).toHaveLength(12);
        expect(Buffer.from(wrapNonce, 'base64')).toHaveLength(12);
      }
      dataNonces.add(env.n);
      wrapNonces.add(wrapNonce);
    }
    expect(dataNonces.size).toBe(100_000);
    expect(wrapNonces.size).toBe(100_000);
    expect(freshNonce()).toHaveLength(12);
  }, 60_000);

  it('rejects a flipped ciphertext byte with decrypt_failed', async () => {
    const { vault } = await fresh();
    const blob = vault.encrypt(id, Buffer.from('s3cret'));
    const env = JSON.parse(blob.envelope) as { ct: string };
    const ct = Buffer.from(env.ct, 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;
    const bad = JSON.stringify({ ...env, ct: ct.toString('base64') });
    expect(codeOf(() => vault.decrypt(id, { envelope: bad }))).toBe('decrypt_failed');
  });

  it('rejects a ciphertext moved to another record identity', async () => {
    const { vault } = await fresh();
    const other = { ...id, id: 'credential:b', label: 'b' };
    const a = vault.encrypt(id, Buffer.from('A'));
    const b = vault.encrypt(other, Buffer.from('B'));
    expect(codeOf(() => vault.decrypt(id, b))).toBe('decrypt_failed');
    expect(codeOf(() => vault.decrypt(other, a))).toBe('decrypt_failed');
  });

  it('refuses a wrong master key with wrong_master_key', async () => {
    const { store } = await fresh();
    await expect(openVault(store).unseal(envKey('KW_TEST_WRONG'))).rejects.toMatchObject({
      code: 'wrong_master_key',
    });
  });

  it('refuses to encrypt while sealed', async () => {
    const { vault } = await fresh();
    vault.seal();
    expect(codeOf(() => vault.encrypt(id, Buffer.from('x')))).toBe('vault_sealed');
  });

  it('keeps fingerprints and audit HMACs stable across master-key rotation', async () => {
    const { store, vault, src } = await fresh();
    const blob = vault.encrypt(id, Buffer.from('keep'));
    const fp = vault.fingerprint('abc');
    const ah = vault.auditHmac('abc');
    expect(fp).not.toBe(ah);
    const next = envKey('KW_TEST_NEXT');
    await rotateMaster(store, src, next);
    const v2 = openVault(store);
    await expect(v2.unseal(src)).rejects.toMatchObject({ code: 'wrong_master_key' });
    await v2.unseal(next);
    expect(v2.fingerprint('abc')).toBe(fp);
    expect(v2.auditHmac('abc')).toBe(ah);
    expect(codeOf(() => v2.decrypt(id, blob))).toBe('decrypt_failed');
  });

  it('creates the data dir 0700 and db files 0600', async () => {
    const { store, vault } = await fresh();
    vault.encrypt(id, Buffer.from('x'));
    expect(statSync(store.dataDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(store.dataDir);
    expect(files).toContain('keywarden.db');
    for (const f of files) expect(statSync(join(store.dataDir, f)).mode & 0o777).toBe(0o600);
  });
});
