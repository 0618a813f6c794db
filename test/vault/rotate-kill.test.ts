import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyRegistry } from '../../src/lifecycle/keys.js';
import { openStore } from '../../src/store/db.js';
import { initVault, openVault } from '../../src/vault/vault.js';

const MAIN = join(process.cwd(), 'dist/cli/main.js');

describe('rotate-master interrupted by SIGKILL', () => {
  it('leaves the vault readable with the old or the new key', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'kw-rot-')), 'd');
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    process.env.KW_ROT_OLD = oldKey;
    process.env.KW_ROT_NEW = newKey;
    const store = await openStore(dataDir);
    await initVault(store, { kind: 'env', variable: 'KW_ROT_OLD' });
    const v = openVault(store);
    await v.unseal({ kind: 'env', variable: 'KW_ROT_OLD' });
    const keys = createKeyRegistry(store, v);
    for (let i = 0; i < 300; i++)
      await keys.add(
        { label: `k${i}`, exchange: 'bybit', environment: 'test' },
        { apiKey: `api${i}`, secret: `sec${i}` },
      );
    await store.close();

    let cur = oldKey;
    let next = newKey;
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round++) {
      process.env.KW_ROT_OLD = cur;
      process.env.KW_ROT_NEW = next;
      const child = spawn(process.execPath, [MAIN, 'vault', 'rotate-master'], {
        env: {
          PATH: process.env.PATH ?? '',
          KEYWARDEN_DATA_DIR: dataDir,
          KEYWARDEN_MASTER_KEY: cur,
          KEYWARDEN_NEW_MASTER_KEY: next,
        },
        stdio: 'ignore',
      });
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 700)));
      child.kill('SIGKILL');
      await exited;
      const s = await openStore(dataDir);
      const vault = openVault(s);
      let which = 'old';
      try {
        await vault.unseal({ kind: 'env', variable: 'KW_ROT_OLD' });
      } catch {
        which = 'new';
        await vault.unseal({ kind: 'env', variable: 'KW_ROT_NEW' });
      }
      const reg = createKeyRegistry(s, vault);
      expect((await reg.credential('k0')).secret).toBe('sec0');
      expect((await reg.credential('k299')).secret).toBe('sec299');
      await s.close();
      outcomes.push(which);
      // A finished rotation makes the new key current; the next round rotates back.
      if (which === 'new') [cur, next] = [next, cur];
    }
    expect(outcomes).toHaveLength(4);
  }, 30_000);
});
