/**
 * A real lifecycle setup for tests: SQLite store in a temp dir, an unsealed vault (key file),
 * the key registry, the real audit log, and the in-process sandbox exchange on port 0 whose
 * key lookups are recorded (which api key signed each request it received).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAuditLog } from '../src/audit/index.js';
import { createExchangeAccess } from '../src/cli/exchange-access.js';
import { type KeywardenConfig, parseConfig } from '../src/config/config.js';
import type { ExchangeId } from '../src/core/index.js';
import type { ExchangeAccess, KeyRegistry } from '../src/keys/index.js';
import { createKeyRegistry } from '../src/keys/index.js';
import type { SandboxEmulator, SandboxKey } from '../src/sandbox/emulator.js';
import { EMULATORS } from '../src/sandbox/emulators.js';
import { createSandbox, type Sandbox } from '../src/sandbox/server.js';
import { openStore, type Store } from '../src/store/db.js';
import { initVault, openVault } from '../src/vault/vault.js';
import type { Vault } from '../src/vault/vault-types.js';

export interface KeyUse {
  exchange: string;
  path: string;
  apiKey: string;
}

export interface World {
  dir: string;
  dataDir: string;
  keyFile: string;
  store: Store;
  vault: Vault;
  keys: KeyRegistry;
  audit: ReturnType<typeof openAuditLog>;
  sandbox: Sandbox;
  /** Every api key the sandbox looked up to check a signature, in order. */
  used: KeyUse[];
  seed: SandboxKey[];
  config: KeywardenConfig;
  access: ExchangeAccess;
  /** A sandbox key by exchange and name (`read`, `trade`, `full`, `iprestricted`, `trade-next`). */
  key(exchange: ExchangeId, name: string): SandboxKey;
  /** Env for a CLI child process pointed at this data dir and sandbox. */
  cliEnv(): Record<string, string>;
  /** Every file under the data dir, concatenated (latin1), for canary searches. */
  diskText(): string;
  close(): Promise<void>;
}

function recording(e: SandboxEmulator, used: KeyUse[]): SandboxEmulator {
  return {
    exchange: e.exchange,
    generateKeys: () => e.generateKeys(),
    handle: (request, ctx) =>
      e.handle(request, {
        ...ctx,
        keyById: (id) => {
          used.push({ exchange: e.exchange, path: request.path, apiKey: id });
          return ctx.keyById(id);
        },
      }),
  };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

/**
 * `read` keys are pinned to 127.0.0.1 (an IP-restricted read-only key the sandbox accepts from
 * loopback); each exchange also has a second, unused `trade-next` key (what an operator creates
 * on the exchange before rotating).
 */
export async function startWorld(
  options: {
    config?: Record<string, unknown>;
    /** The sandbox's own limits (its Binance weight per minute), for tests that outrun them. */
    sandboxLimits?: Parameters<typeof createSandbox>[0]['rateLimits'];
  } = {},
): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-life-'));
  const dataDir = join(dir, 'data');
  const store = await openStore(dataDir);
  const keyFile = join(dir, 'master.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  await initVault(store, { kind: 'key-file', path: keyFile });
  const vault = openVault(store);
  await vault.unseal({ kind: 'key-file', path: keyFile });
  const keys = createKeyRegistry(store, vault);
  const audit = openAuditLog(store, vault);
  const seed: SandboxKey[] = [];
  for (const e of EMULATORS) {
    for (const k of e.generateKeys()) {
      if (k.name === 'read') k.ipAllow = ['127.0.0.1'];
      seed.push(k);
    }
    const next = e.generateKeys().find((k) => k.name === 'trade');
    if (next) seed.push({ ...next, name: 'trade-next' });
  }
  const used: KeyUse[] = [];
  const sandbox = createSandbox({
    emulators: EMULATORS.map((e) => recording(e, used)),
    keys: seed,
    ...(options.sandboxLimits ? { rateLimits: options.sandboxLimits } : {}),
  });
  await sandbox.listen(0, '127.0.0.1');
  const config = parseConfig({
    ...(options.config ?? {}),
    exchanges: Object.fromEntries(
      EMULATORS.map((e) => [e.exchange, { baseUrl: sandbox.baseUrl(e.exchange) }]),
    ),
  });
  const access = createExchangeAccess(config, store);
  return {
    dir,
    dataDir,
    keyFile,
    store,
    vault,
    keys,
    audit,
    sandbox,
    used,
    seed,
    config,
    access,
    key(exchange, name) {
      const k = seed.find((s) => s.exchange === exchange && s.name === name);
      if (!k) throw new Error(`no sandbox key ${exchange}/${name}`);
      return k;
    },
    cliEnv() {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', KEYWARDEN_DATA_DIR: dataDir };
      for (const e of EMULATORS)
        env[`KEYWARDEN_${e.exchange.toUpperCase()}_BASE_URL`] = sandbox.baseUrl(e.exchange);
      return env;
    },
    // Read by a child process: closing a descriptor of the database file in this process would
    // drop every POSIX lock it holds on it, and the store's connection would then miss (or
    // misread) what CLI processes write afterwards.
    diskText: () =>
      execFileSync(
        process.execPath,
        [
          '-e',
          `const fs = require('node:fs'); for (const f of ${JSON.stringify(allFiles(dataDir))}) { try { process.stdout.write(fs.readFileSync(f)); process.stdout.write('\\n'); } catch {} }`,
        ],
        { encoding: 'latin1', maxBuffer: 512 * 1024 * 1024 },
      ),
    async close() {
      await access.close();
      await sandbox.close();
      await audit.close();
      vault.seal();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
