/**
 * The lifecycle schedule as `keywarden serve --sandbox` wires it: checks go through the
 * gateway's own upstreams (here the in-process sandbox) and nonce sequences, and are recorded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { createKeyCheckStore, createKeyRegistry } from '../../src/keys/index.js';
import type { SandboxSeed } from '../../src/sandbox/server.js';
import { openStore } from '../../src/store/db.js';
import { initVault, openVault } from '../../src/vault/vault.js';

const dir = mkdtempSync(join(tmpdir(), 'kw-serve-life-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve wires the lifecycle schedule', () => {
  it('verifies the registered keys through the sandbox it started', async () => {
    process.env.KEYWARDEN_MASTER_KEY = randomBytes(32).toString('base64');
    const store = await openStore(dir);
    await initVault(store, { kind: 'env', variable: 'KEYWARDEN_MASTER_KEY' });
    const running = await serve(dir, { sandbox: true, listen: '127.0.0.1:0' });
    try {
      const seed = JSON.parse(readFileSync(join(dir, 'sandbox', 'seed.json'), 'utf8')) as SandboxSeed;
      const vault = openVault(store);
      await vault.unseal({ kind: 'env', variable: 'KEYWARDEN_MASTER_KEY' });
      const keys = createKeyRegistry(store, vault);
      for (const name of ['full', 'trade']) {
        const k = seed.keys.find((s) => s.exchange === 'kraken' && s.name === name);
        if (!k) throw new Error(name);
        await keys.add({ label: `kraken-${name}`, exchange: 'kraken', environment: 'prod' }, k.credential);
      }
      const run = await running.lifecycle.runNow();
      expect(run?.checks.map((c) => c.flags)).toEqual([
        ['withdraw_enabled', 'transfer_enabled', 'no_ip_restriction'],
        ['no_ip_restriction'],
      ]);
      expect((await createKeyCheckStore(store).latest()).size).toBe(2);
      vault.seal();
    } finally {
      await running.close();
      await store.close();
      delete process.env.KEYWARDEN_MASTER_KEY;
    }
  });
});
