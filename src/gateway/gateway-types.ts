import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ApprovalsService } from '../approvals/index.js';
import type { AuditLog } from '../audit/index.js';
import type { LoadedClient } from '../clients/index.js';
import type { KeywardenConfig } from '../config/index.js';
import type { Clock, ExchangeId } from '../core/index.js';
import type { ExchangeAdapter, NonceLedger, NonceSource } from '../exchanges/index.js';
import type { KeyRegistry } from '../keys/index.js';
import type { Monitor, MonitorMetrics } from '../monitor/index.js';
import type { Evaluate, UsageTracker } from '../policy/index.js';
import type { SharedNonceLedger } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import type { BudgetStore } from './budget/index.js';
import type { RateLimitStore } from './rate-limit.js';
import type { ReplayCache } from './replay-cache.js';
import type { Upstream } from './upstream.js';

/** Everything the gateway needs, passed in by the composition root (src/cli/serve.ts). */
export interface GatewayDeps {
  config: KeywardenConfig;
  vault: Vault;
  keys: Pick<KeyRegistry, 'get' | 'credential'>;
  clients: { loadAll(): Promise<LoadedClient[]>; version(): number | Promise<number> };
  audit: AuditLog;
  evaluate: Evaluate;
  adapters: Partial<Record<ExchangeId, ExchangeAdapter>>;
  upstreams: Partial<Record<ExchangeId, Upstream>>;
  clock?: Clock;
  /** The highest nonce seen per client key (Kraken); `serve` passes one persisted in the store, so a restart does not reopen replays. */
  /** The replay cache; default in memory. On PostgreSQL `serve` passes one all instances share (store-state.ts). */
  replays?: ReplayCache;
  clientNonces?: NonceLedger;
  /** The client nonce ledger every instance shares (PostgreSQL, store-state.ts); it decides when present. */
  sharedClientNonces?: SharedNonceLedger;
  /** Policy usage (daily caps, order counts); `serve` passes one persisted in the store. Default: in memory. */
  usage?: UsageTracker;
  /**
   * Per-exchange-key nonce sequences (Kraken). `serve` passes the store's
   * (src/store/nonce-sequence.ts), shared with CLI processes; without it each key gets an
   * in-memory sequence that only this process draws from.
   */
  nonces?: (keyId: string) => NonceSource;
  /** Holds withdrawals under `withdrawals.approval` (src/approvals); without it they are denied. */
  approvals?: Pick<ApprovalsService, 'request'>;
  /** Where the rate budgets live (a Redis store shared by instances); default: this process's memory. */
  budgetStore?: BudgetStore;
  /** Where the per-client and per-IP buckets live (a Redis store shared by instances); default: this process's memory. */
  limitStore?: RateLimitStore;
  /** Store and audit reachability for /readyz. */
  ready?: () => Promise<{ store: boolean; audit: boolean }>;
  /** Unexpected failures (never secrets): logged in full with the request id. */
  onError?: (requestId: string, err: unknown) => void;
  /**
   * Told about every finished request and about a sealed vault. Its `observe` also records the
   * request metrics, so pass the `metrics` it was built with (see src/monitor/open-monitor.ts).
   */
  monitor?: Monitor;
  /** Request metrics for what is not the monitor's business (probes, malformed requests), or all of them without a monitor. */
  metrics?: MonitorMetrics;
}

export interface GatewayRequest {
  requestId: string;
  method: string;
  /** The raw request target exactly as received. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Socket peer address. */
  peer: string;
  /** The listener's own address for this connection (decides the anonymous relay's default). */
  local?: string;
}

export type GatewayAnswer =
  | { status: number; headers: Record<string, string>; body: string }
  | { status: number; headers: Record<string, string>; stream: Readable };
