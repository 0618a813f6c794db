/**
 * Assemble the gateway from its parts (config, store-backed clients, vault, key registry,
 * audit log) and start listening. Shared by `keywarden serve`, the demo and the benchmarks so
 * they all run exactly the production path.
 */
import type { ApprovalsService } from '../approvals/index.js';
import type { KeywardenConfig } from '../config/index.js';
import { type Clock, EXCHANGE_IDS, type ExchangeId, KeywardenError } from '../core/index.js';
import type { NonceLedger, NonceSource } from '../exchanges/index.js';
import { ADAPTERS } from '../exchanges/index.js';
import type { Monitor, MonitorMetrics } from '../monitor/index.js';
import { monitoredAuditLog } from '../monitor/index.js';
import type { Evaluate, UsageTracker } from '../policy/index.js';
import { evaluate as defaultEvaluate } from '../policy/index.js';
import type { MasterKeySource } from '../vault/index.js';
import { type ApprovalDispatcher, createApprovalDispatcher } from './approval-dispatcher.js';
import { createRedisBudgetStore } from './budget/index.js';
import { createGateway, type Gateway } from './gateway.js';
import type { GatewayDeps } from './gateway-types.js';
import { createRedisRateLimitStore } from './redis-rate-limit.js';
import { createGatewayServer, type GatewayServer } from './server.js';
import { createUpstream, type Upstream } from './upstream.js';

/** What the stack passes through to the gateway as given; the rest it builds or defaults. */
export interface StackOptions extends Pick<GatewayDeps, 'config' | 'vault' | 'keys' | 'clients' | 'audit'> {
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
  /** Where server.metrics.tokenEnv is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Per-key nonce sequences, normally the store's (src/store/nonce-sequence.ts); see GatewayDeps.nonces. */
  nonces?: (keyId: string) => NonceSource;
  /** Policy usage, normally persisted in the store (src/store/usage-store.ts); see GatewayDeps.usage. */
  usage?: UsageTracker;
  /** The client nonce ledger, normally the store's (src/store/client-nonces.ts). */
  clientNonces?: NonceLedger;
  /** The client nonce ledger several gateways on PostgreSQL share (see GatewayDeps.sharedClientNonces). */
  sharedClientNonces?: GatewayDeps['sharedClientNonces'];
  /** The replay cache; several gateways on PostgreSQL share one (see GatewayDeps.replays). */
  replays?: GatewayDeps['replays'];
  /**
   * Approvals (src/approvals): withdrawals under `withdrawals.approval` are held there, and the
   * stack's dispatcher sends the approved ones, checking every `dispatchEveryMs` (default 2 s;
   * 0 = only when `dispatcher.runOnce()` is called).
   */
  approvals?: ApprovalsService;
  dispatchEveryMs?: number;
}

export interface GatewayStack {
  gateway: Gateway;
  server: GatewayServer;
  upstreams: Partial<Record<ExchangeId, Upstream>>;
  /** Sends approved withdrawals (present with `approvals`). */
  dispatcher?: ApprovalDispatcher;
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

/** The /metrics bearer token from the environment variable the config names (access "token"). */
function metricsToken(config: KeywardenConfig, env: NodeJS.ProcessEnv = process.env): { token?: string } {
  const m = config.server.metrics;
  if (m.access !== 'token' || m.tokenEnv === undefined) return {};
  const token = env[m.tokenEnv];
  if (token === undefined || token.length < 16)
    throw new KeywardenError(
      'invalid_config',
      `server.metrics.access is "token" but $${m.tokenEnv} is unset or shorter than 16 characters`,
    );
  return { token };
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
  // Budgets shared by every instance that names the same Redis; without a URL, this process's memory.
  const budgetUrl = config.rateBudgets.enabled ? config.rateBudgets.store.url : undefined;
  const budgetStore = budgetUrl
    ? createRedisBudgetStore({
        url: budgetUrl,
        timeoutMs: config.rateBudgets.store.timeoutMs,
        prefix: config.rateBudgets.store.prefix,
      })
    : undefined;
  // Per-client and per-IP buckets the same way: in Redis when `rateLimit.store.url` names one.
  const limits = config.rateLimit.store;
  const limitStore = limits.url
    ? createRedisRateLimitStore({ url: limits.url, timeoutMs: limits.timeoutMs, prefix: limits.prefix })
    : undefined;
  const gateway = createGateway({
    ...(budgetStore ? { budgetStore } : {}),
    ...(limitStore ? { limitStore } : {}),
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
    ...(options.usage ? { usage: options.usage } : {}),
    ...(options.clientNonces ? { clientNonces: options.clientNonces } : {}),
    ...(options.sharedClientNonces ? { sharedClientNonces: options.sharedClientNonces } : {}),
    ...(options.replays ? { replays: options.replays } : {}),
    ...(options.approvals ? { approvals: options.approvals } : {}),
  });
  const dispatcher = options.approvals
    ? createApprovalDispatcher({
        approvals: options.approvals,
        keys: options.keys,
        adapters: ADAPTERS,
        upstreams,
        audit,
        clock: options.clock ?? { now: Date.now },
        nonceFor: (keyId) => gateway.nonceFor(keyId),
        isSealed: () => vault.isSealed(),
        onError: (context, err) => options.onError?.(context, err),
      })
    : undefined;
  if (dispatcher && options.dispatchEveryMs !== 0) dispatcher.start(options.dispatchEveryMs ?? 2_000);
  const server = createGatewayServer({
    config,
    gateway,
    ...(metrics
      ? {
          metrics: {
            registry: metrics,
            isSealed: () => vault.isSealed(),
            ...metricsToken(config, options.env),
          },
        }
      : {}),
    ...(options.unseal ? { unseal: options.unseal } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    gateway,
    server,
    upstreams,
    ...(dispatcher ? { dispatcher } : {}),
    async listen(host, port) {
      // Connect to Redis first (up to 2 s each), so the first requests are not refused for a
      // connection still being made; one that does not come up leaves the instance not ready.
      await Promise.allSettled([budgetStore?.ready(), limitStore?.ready()]);
      return server.listen(host, port);
    },
    async close() {
      dispatcher?.stop();
      await server.close();
      await Promise.all(Object.values(upstreams).map((u) => u?.close()));
      await budgetStore?.close();
      await limitStore?.close();
    },
  };
}
