/**
 * One Kraken nonce sequence per key across processes: `keywarden serve --sandbox` (in process)
 * checks a Kraken key through the gateway's nonce source, and `keywarden key verify` in another
 * process (node dist/cli/main.js) checks the same key right after, with no delay, and back
 * again. The sandbox's Kraken refuses any nonce not above the last one it saw for the key.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/serve.js';
import { createKeyRegistry } from '../../src/keys/index.js';
import type { SandboxSeed } from '../../src/sandbox/server.js';
import { openStore } from '../../src/store/db.js';
import { initVault, openVault } from '../../src/vault/vault.js';
import { runNode } from '../child.js';

const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'kw-kraken-nonce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cliVerify(label: string, env: Record<string, string>) {
  return runNode([MAIN, 'key', 'verify', label, '--json'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

describe('Kraken nonces shared by the gateway and a CLI process', () => {
  it('the gateway and `key verify` use the same key back to back and Kraken accepts every nonce', async () => {
    const masterKey = randomBytes(32).toString('base64');
    process.env.KEYWARDEN_MASTER_KEY = masterKey;
    const store = await openStore(dir);
    await initVault(store, { kind: 'env', variable: 'KEYWARDEN_MASTER_KEY' });
    const running = await serve(dir, { sandbox: true, listen: '127.0.0.1:0' });
    try {
      const seed = JSON.parse(readFileSync(join(dir, 'sandbox', 'seed.json'), 'utf8')) as SandboxSeed;
      const vault = openVault(store);
      await vault.unseal({ kind: 'env', variable: 'KEYWARDEN_MASTER_KEY' });
      const trade = seed.keys.find((s) => s.exchange === 'kraken' && s.name === 'trade');
      if (!trade) throw new Error('no kraken trade key in the sandbox seed');
      const key = await createKeyRegistry(store, vault).add(
        { label: 'kraken-trade', exchange: 'kraken', environment: 'prod' },
        trade.credential,
      );
      const sandboxUrl = running.sandbox?.sandbox.baseUrl('kraken');
      if (!sandboxUrl) throw new Error('serve started no sandbox');
      const env = {
        KEYWARDEN_DATA_DIR: dir,
        KEYWARDEN_MASTER_KEY: masterKey,
        KEYWARDEN_KRAKEN_BASE_URL: sandboxUrl,
      };
      const last = () =>
        store.sqlite
          .prepare('SELECT last FROM nonce_sequences WHERE key_id = ?')
          .pluck()
          .safeIntegers()
          .get(key.id) as bigint;

      const viaGateway = async () => (await running.lifecycle.runNow())?.checks.map((c) => c.flags);
      const viaCli = async () => {
        const r = await cliVerify('kraken-trade', env);
        // Exit 1: the key is flagged (no IP restriction); a refused nonce would be exit 2.
        expect(r.code, r.err).toBe(1);
        return (JSON.parse(r.out) as Array<{ live: boolean; flags: string[] }>).map((x) => [x.live, x.flags]);
      };

      expect(await viaGateway()).toEqual([['no_ip_restriction']]);
      const afterGateway = last();
      expect(await viaCli()).toEqual([[true, ['no_ip_restriction']]]);
      const afterCli = last();
      expect(afterCli).toBeGreaterThan(afterGateway);
      expect(await viaGateway()).toEqual([['no_ip_restriction']]);
      expect(await viaCli()).toEqual([[true, ['no_ip_restriction']]]);
      expect(last()).toBeGreaterThan(afterCli);
      vault.seal();
    } finally {
      await running.close();
      await store.close();
      delete process.env.KEYWARDEN_MASTER_KEY;
    }
  });
});
