/**
 * A whole gateway in process, on real sockets (port 0): the sandbox exchange, a store in a
 * temporary directory, client credentials, and the Fastify server. The vault, key registry,
 * audit log and policy evaluator are passed in (contract fakes by default) exactly as the
 * composition root (src/cli/serve.ts) passes the real ones.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApprovalsService, createApprovals } from '../../src/approvals/index.js';
import type { AuditLog, AuditRecord } from '../../src/audit/audit-types.js';
import { createAuditLog, createCheckpointKey, createSigner, queryAudit } from '../../src/audit/index.js';
import { ccxtOverride } from '../../src/cli/sandbox.js';
import type { IssuedClient, NewClient } from '../../src/clients/index.js';
import { type ClientService, createClientService, createVersionReader } from '../../src/clients/index.js';
import { type KeywardenConfig, parseConfig } from '../../src/config/config.js';
import type { Clock, ExchangeId } from '../../src/core/index.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import { ADAPTERS, adapterFor } from '../../src/exchanges/index.js';
import type { ApprovalDispatcher } from '../../src/gateway/approval-dispatcher.js';
import { buildGatewayStack } from '../../src/gateway/compose.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import type { GatewayServer } from '../../src/gateway/server.js';
import { storeBackedState } from '../../src/gateway/store-state.js';
import type { KeyRegistry } from '../../src/keys/index.js';
import { createKeyRegistry } from '../../src/keys/index.js';
import { type MonitorHandle, openMonitor } from '../../src/monitor/open-monitor.js';
import type { Policy } from '../../src/policy/policy-types.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { EMULATORS } from '../../src/sandbox/emulators.js';
import type { SandboxRateLimitOptions } from '../../src/sandbox/rate-limits.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { openStore, type Store } from '../../src/store/db.js';
import { initVault, openVault } from '../../src/vault/vault.js';
import type { Vault } from '../../src/vault/vault-types.js';

export interface Harness {
  url: string;
  sandbox: Sandbox;
  store: Store;
  vault: Vault;
  keys: KeyRegistry;
  /** Key files: `good` unseals this vault, `wrong` is a valid-looking other key. */
  keyFiles: { good: string; wrong: string };
  /** The real audit log over the harness store; set `failing` to make appends reject. */
  audit: AuditLog & { failing: boolean; readonly records: AuditRecord[] };
  clients: ClientService;
  gateway: Gateway;
  server: GatewayServer;
  config: KeywardenConfig;
  /** Present when started with `monitor`: built from `config.monitor` exactly as `serve` builds it. */
  monitor?: MonitorHandle;
  /** Present when started with `approvals`: the service over the harness store and the stack's dispatcher (run by hand). */
  approvals?: ApprovalsService;
  dispatcher?: ApprovalDispatcher;
  /** The registered exchange key label per exchange (the sandbox's `full` key: it could withdraw). */
  keyLabel(exchange: ExchangeId): string;
  issue(exchange: ExchangeId, name: string, extra?: Partial<NewClient>): Promise<IssuedClient>;
  /** An unmodified CCXT client pointed at the gateway with this credential. */
  ccxt(exchange: ExchangeId, credential: Credential): Promise<CcxtExchange>;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: CCXT's exchange classes are loaded dynamically per id
export type CcxtExchange = any;

export const DEFAULT_POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
};

export async function startHarness(
  options: {
    config?: Record<string, unknown>;
    exchanges?: ExchangeId[];
    /** Change the sandbox's generated keys before it starts (e.g. plant a canary secret). */
    plantKeys?: (keys: SandboxKey[]) => void;
    /** Wire the monitor from `config.monitor` (sinks read `{ env }` secrets, and /metrics its token, from `env`). */
    monitor?: { env?: NodeJS.ProcessEnv };
    /** One clock for the gateway, the sandbox and the monitor (tests that move time). */
    clock?: Clock;
    /** Send these exchanges somewhere other than the sandbox (e.g. a closed port). */
    baseUrls?: Partial<Record<ExchangeId, string>>;
    /** Wire approvals (src/approvals) as `serve` does; the dispatcher only runs when the test calls it. */
    approvals?: boolean;
    /** The emulated exchanges' own rate limits (e.g. a low Binance weight per minute). */
    sandboxLimits?: SandboxRateLimitOptions;
    /** The sandbox closes each WebSocket connection this long after it opened (Binance's 24 h, shortened). */
    sandboxWsLifetimeMs?: number;
  } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-gw-'));
  const store = await openStore(dir);
  const keyFiles = { good: join(dir, 'master.key'), wrong: join(dir, 'wrong.key') };
  writeFileSync(keyFiles.good, randomBytes(32).toString('base64'), { mode: 0o600 });
  writeFileSync(keyFiles.wrong, randomBytes(32).toString('base64'), { mode: 0o600 });
  await initVault(store, { kind: 'key-file', path: keyFiles.good });
  const vault = openVault(store);
  await vault.unseal({ kind: 'key-file', path: keyFiles.good });
  const keys = createKeyRegistry(store, vault);
  const log = createAuditLog(store.sqlite, {
    hmac: (v) => vault.auditHmac(v),
    signer: createSigner(createCheckpointKey().privateKeyPem),
  });
  const audit = {
    failing: false,
    append(event: Parameters<AuditLog['append']>[0]) {
      return audit.failing ? Promise.reject(new Error('audit disk full')) : log.append(event);
    },
    close: () => log.close(),
    get records(): AuditRecord[] {
      return queryAudit(store.sqlite);
    },
  };
  const seedKeys = EMULATORS.flatMap((e) => e.generateKeys());
  options.plantKeys?.(seedKeys);
  const sandbox = createSandbox({
    emulators: EMULATORS,
    keys: seedKeys,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.sandboxLimits ? { rateLimits: options.sandboxLimits } : {}),
    ...(options.sandboxWsLifetimeMs !== undefined ? { wsLifetimeMs: options.sandboxWsLifetimeMs } : {}),
  });
  await sandbox.listen(0, '127.0.0.1');
  const exchanges = options.exchanges ?? (Object.keys(ADAPTERS) as ExchangeId[]);
  for (const ex of exchanges) {
    const full = seedKeys.find((k) => k.exchange === ex && k.name === 'full');
    if (!full) throw new Error(`no sandbox key for ${ex}`);
    await keys.add({ label: `${ex}-main`, exchange: ex, environment: 'prod' }, full.credential);
  }
  const config = parseConfig({
    ...(options.config ?? {}),
    exchanges: Object.fromEntries(
      exchanges.map((ex) => [ex, { baseUrl: options.baseUrls?.[ex] ?? sandbox.baseUrl(ex) }]),
    ),
  });
  const clients = createClientService({
    db: store.db,
    readVersion: createVersionReader(store.sqlite),
    vault,
    keys,
    audit,
    adapterFor,
  });
  const monitor = options.monitor
    ? openMonitor(config, {
        audit,
        clients,
        ...(options.monitor.env ? { env: options.monitor.env } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        onError: (context, err) =>
          process.stderr.write(`monitor error (${context}): ${err instanceof Error ? err.message : ''}\n`),
      })
    : undefined;
  const approvals = options.approvals
    ? createApprovals({
        db: store.db,
        clock: options.clock ?? { now: Date.now },
        audit,
        config: config.approvals,
        ...(monitor ? { alerts: monitor.monitor } : {}),
      })
    : undefined;
  const stack = buildGatewayStack({
    config,
    vault,
    keys,
    clients,
    audit,
    ...(monitor ? { monitor: monitor.monitor, metrics: monitor.metrics } : {}),
    ...(options.monitor?.env ? { env: options.monitor.env } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    // As `serve`: the store's nonce sequences (shared with a second process's lockdown service),
    // policy usage and client nonces.
    ...storeBackedState(store.sqlite, () => (options.clock ?? Date).now()),
    unseal: (s) => vault.unseal(s),
    ...(approvals ? { approvals, dispatchEveryMs: 0 } : {}),
    onError: (id, err) =>
      process.stderr.write(`gateway error ${id}: ${err instanceof Error ? err.message : ''}\n`),
  });
  const { gateway, server } = stack;
  // As `serve`: the stack's listen connects to a configured Redis first.
  const url = await stack.listen('127.0.0.1', 0);
  const ccxt = (await import('ccxt')).default;

  return {
    url,
    sandbox,
    store,
    vault,
    keys,
    keyFiles,
    audit,
    clients,
    gateway,
    server,
    config,
    ...(monitor ? { monitor } : {}),
    ...(approvals ? { approvals } : {}),
    ...(stack.dispatcher ? { dispatcher: stack.dispatcher } : {}),
    keyLabel: (ex) => `${ex}-main`,
    issue: (exchange, name, extra = {}) =>
      clients.add({ name, key: `${exchange}-main`, policy: DEFAULT_POLICY, ...extra }),
    async ccxt(exchange, credential) {
      const Cls = (ccxt as unknown as Record<string, new (o: Record<string, unknown>) => CcxtExchange>)[
        exchange
      ];
      if (!Cls) throw new Error(`ccxt has no ${exchange}`);
      return new Cls({
        ...credential,
        ...ccxtOverride(exchange, `${url}/${exchange}`),
        enableRateLimit: false,
      });
    },
    async close() {
      await stack.close();
      await monitor?.close();
      await sandbox.close();
      await log.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
