/**
 * Tampering with the stored vault (the SQLite file, as an attacker with write access to the data
 * directory would): one flipped ciphertext byte, two rows' envelopes swapped, a flipped byte of a
 * wrapped data key, and a wrong master key each fail with a specific error and never return
 * plaintext. Positive control first: the untouched rows decrypt.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeywardenError } from '../../src/core/index.js';
import { createKeyRegistry } from '../../src/keys/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { initVault, openVault } from '../../src/vault/vault.js';
import type { MasterKeySource } from '../../src/vault/vault-types.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function envKey(): MasterKeySource {
  const name = `KW_TAMPER_${randomBytes(4).toString('hex')}`;
  process.env[name] = randomBytes(32).toString('base64');
  return { kind: 'env', variable: name };
}

async function twoKeys() {
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'kw-tamper-')), 'data'));
  stores.push(store);
  const source = envKey();
  await initVault(store, source);
  const vault = openVault(store);
  await vault.unseal(source);
  const keys = createKeyRegistry(store, vault);
  await keys.add(
    { label: 'a', exchange: 'binance', environment: 'test' },
    { apiKey: 'apiA', secret: 'secretA' },
  );
  await keys.add(
    { label: 'b', exchange: 'binance', environment: 'test' },
    { apiKey: 'apiB', secret: 'secretB' },
  );
  // Positive control: untouched rows decrypt.
  expect((await keys.credential('a')).secret).toBe('secretA');
  expect((await keys.credential('b')).secret).toBe('secretB');
  const envelope = (label: string) =>
    store.sqlite.prepare('SELECT envelope FROM credentials WHERE label = ?').pluck().get(label) as string;
  const setEnvelope = (label: string, value: string) =>
    store.sqlite.prepare('UPDATE credentials SET envelope = ? WHERE label = ?').run(value, label);
  return { store, keys, source, envelope, setEnvelope };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KeywardenError);
    const e = err as KeywardenError;
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a failure');
}

function flipBase64Byte(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('tampered vault rows', () => {
  it('one flipped ciphertext byte in the stored row: decrypt_failed, no plaintext', async () => {
    const { keys, envelope, setEnvelope } = await twoKeys();
    const env = JSON.parse(envelope('a')) as { ct: string };
    setEnvelope('a', JSON.stringify({ ...env, ct: flipBase64Byte(env.ct, 3) }));
    const f = await failure(keys.credential('a'));
    expect(f.code).toBe('decrypt_failed');
    expect(f.message).toMatch(/integrity/);
    expect((await keys.credential('b')).secret).toBe('secretB');
  });

  it("two rows' envelopes swapped: both fail (the record identity is bound as associated data)", async () => {
    const { keys, envelope, setEnvelope } = await twoKeys();
    const a = envelope('a');
    const b = envelope('b');
    setEnvelope('a', b);
    setEnvelope('b', a);
    for (const label of ['a', 'b']) {
      const f = await failure(keys.credential(label));
      expect(f.code).toBe('decrypt_failed');
      expect(f.message).not.toMatch(/secret[AB]/);
    }
  });

  it('one flipped byte of the wrapped data key: decrypt_failed', async () => {
    const { keys, envelope, setEnvelope } = await twoKeys();
    const env = JSON.parse(envelope('a')) as { wk: string };
    const [nonce, sealed] = env.wk.split('.') as [string, string];
    setEnvelope('a', JSON.stringify({ ...env, wk: `${nonce}.${flipBase64Byte(sealed, 0)}` }));
    expect((await failure(keys.credential('a'))).code).toBe('decrypt_failed');
  });

  it('a wrong master key: wrong_master_key at unseal, before any record is touched', async () => {
    const { store } = await twoKeys();
    const f = await failure(openVault(store).unseal(envKey()));
    expect(f.code).toBe('wrong_master_key');
    expect(f.message).toMatch(/wrong passphrase or master key/i);
  });
});
