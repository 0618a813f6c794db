/** The services the stages use, built once by the gateway (src/gateway/gateway.ts). */
import type { ApprovalsService } from '../../approvals/index.js';
import type { KeywardenConfig } from '../../config/index.js';
import type { Clock, ExchangeId } from '../../core/index.js';
import type { ExchangeAdapter, NonceLedger } from '../../exchanges/index.js';
import type { Evaluate, UsageTracker } from '../../policy/index.js';
import type { SharedNonceLedger } from '../../store/index.js';
import type { Vault } from '../../vault/index.js';
import type { RateBudgets } from '../budget/index.js';
import type { ClientCache } from '../client-cache.js';
import type { IpAllowList } from '../ip.js';
import type { KeyCache } from '../key-cache.js';
import type { MarketData } from '../market-data.js';
import type { RateLimiter } from '../rate-limit.js';
import type { ReplayCache } from '../replay-cache.js';
import type { Upstream } from '../upstream.js';

export interface PipelineEnv {
  config: KeywardenConfig;
  vault: Pick<Vault, 'isSealed'>;
  clock: Clock;
  adapters: Partial<Record<ExchangeId, ExchangeAdapter>>;
  upstreams: Partial<Record<ExchangeId, Upstream>>;
  trustedProxies: IpAllowList;
  limiter: RateLimiter;
  clients: ClientCache;
  keys: KeyCache;
  clientNonces: NonceLedger;
  /** Several gateways (PostgreSQL): the client nonce ledger they share; when present it decides, not `clientNonces`. */
  sharedClientNonces?: SharedNonceLedger;
  replays: ReplayCache;
  usage: UsageTracker;
  evaluate: Evaluate;
  marketData: ReadonlyMap<ExchangeId, MarketData>;
  /** A monitor is wired: the client-state stage looks up the key label it names in alerts. */
  monitored: boolean;
  /** Where a withdrawal under `withdrawals.approval` is held (hold.ts); without it such a withdrawal is denied. */
  approvals?: Pick<ApprovalsService, 'request'>;
  /** The exchange-aware rate budgets the forward stage spends (src/gateway/budget); absent: none. */
  budgets?: RateBudgets;
  /** Unexpected failures (never secrets), with the request id. */
  onError(requestId: string, err: unknown): void;
}

/** Sizes and prices keywarden evaluates (the adapters' schemas hold them to this too). */
export const MAX_NUMBER = 1e15;
/** Distinct symbols (or amends) one request may need market data for: a batch of 300 off-list symbols is not 300 ticker calls. */
export const MAX_SYMBOLS_PER_REQUEST = 20;
