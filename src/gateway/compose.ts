/**
 * Assemble the gateway from its parts (config, store-backed clients, vault, key registry,
 * audit log) and start listening. Shared by `keywarden serve`, the demo and the benchmarks so
 * they all run exactly the production path.
 */
import type { AuditLog } from '../audit/audit-types.js';
import type { KeywardenConfig } from '../config/config.js';
import { type Clock, EXCHANGE_IDS, type ExchangeId, type NonceSource } from '../exchanges/adapter.js';
import { ADAPTERS } from '../exchanges/index.js';
import type { LoadedClient } from '../lifecycle/clients-types.js';
import type { KeyRegistry } from '../lifecycle/key-types.js';
import type { MonitorMetrics } from '../monitor/metrics.js';
import type { Monitor } from '../monitor/monitor-types.js';
import { monitoredAuditLog } from '../monitor/monitored-audit.js';
import { evaluate as defaultEvaluate } from '../policy/policy-eval.js';
import type { Evaluate } from '../policy/policy-types.js';
import type { MasterKeySource, Vault } from '../vault/vault-types.js';
import { createGateway, type Gateway } from './gateway.js';
import { createGatewayServer, type GatewayServer } from './server.js';
import { createUpstream, type Upstream } from './upstream.js';

export interface StackOptions {
  config: KeywardenConfig;
  vault: Vault;
  keys: Pick<KeyRegistry, 'get' | 'credential'>;
  clients: { loadAll(): Promise<LoadedClient[]>; version(): number };
  audit: AuditLog;
  evaluate?: Evaluate;
  /** Per-exchange base URL overrides (e.g. the in-process sandbox); otherwise config, then the adapter default. */
  baseUrls?: Partial<Record<ExchangeId, string>>;
  ready?: () => Promise<{ store: boolean; audit: boolean }>;
  unseal?: (source: MasterKeySource) => Promise<void>;
  onError?: (requestId: string, err: unknown) => void;
  /** Alert rules and anomaly detection (src/monitor/open-monitor.ts builds it from config). */
  monitor?: Monitor;
  /** Served at GET /metrics; pass the same instance the monitor was built with. */
  metrics?: MonitorMetrics;
  clock?: Clock;
  /** Per-key nonce sequences, normally the store's (src/store/nonce-sequence.ts); see GatewayDeps.nonces. */
  nonces?: (keyId: string) => NonceSource;
}

export interface GatewayStack {
  gateway: Gateway;
  server: GatewayServer;
  upstreams: Partial<Record<ExchangeId, Upstream>>;
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

export function buildGatewayStack(options: StackOptions): GatewayStack {
  const { config } = options;
  const upstreams: Partial<Record<ExchangeId, Upstream>> = {};
  for (const id of EXCHANGE_IDS) {
    const adapter = ADAPTERS[id];
    const conf = config.exchanges[id];
    if (!adapter || conf?.enabled === false) continue;
    const baseUrl = options.baseUrls?.[id] ?? conf?.baseUrl ?? adapter.defaultBaseUrl;
    upstreams[id] = createUpstream(baseUrl, {
      connections: config.upstream.connectionsPerOrigin,
      timeoutMs: config.upstream.timeoutMs,
      keepAliveMs: config.upstream.keepAliveMs,
    });
  }
  const { monitor, metrics, vault } = options;
  // Timed, and a failed append is reported; not while sealed (the log opens on unseal).
  const audit =
    monitor || metrics
      ? monitoredAuditLog(options.audit, {
          ...(monitor ? { monitor } : {}),
          ...(metrics ? { metrics } : {}),
          ...(options.clock ? { clock: options.clock } : {}),
          expectFailures: () => vault.isSealed(),
        })
      : options.audit;
  const gateway = createGateway({
    config,
    vault,
    keys: options.keys,
    clients: options.clients,
    audit,
    evaluate: options.evaluate ?? defaultEvaluate,
    adapters: ADAPTERS,
    upstreams,
    ...(options.ready ? { ready: options.ready } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(monitor ? { monitor } : {}),
    ...(metrics ? { metrics } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.nonces ? { nonces: options.nonces } : {}),
  });
  const server = createGatewayServer({
    config,
    gateway,
    ...(metrics ? { metrics: { registry: metrics, isSealed: () => vault.isSealed() } } : {}),
    ...(options.unseal ? { unseal: options.unseal } : {}),
  });
  return {
    gateway,
    server,
    upstreams,
    listen: (host, port) => server.listen(host, port),
    async close() {
      await server.close();
      await Promise.all(Object.values(upstreams).map((u) => u?.close()));
    },
  };
}
