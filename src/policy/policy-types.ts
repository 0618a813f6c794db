import type { Action, MarketType } from '../core/index.js';
import type { Classification, ContractSpec } from '../exchanges/index.js';

/**
 * A client's least-privilege policy (validated by ./policy-schema.ts from YAML or JSON).
 * Anything not explicitly allowed is denied; withdraw, transfer and unknown endpoints are
 * denied unless listed in `actions`.
 */
export interface Policy {
  /** `enforce` blocks; `monitor` records would-be denials and lets the request through. */
  mode: 'enforce' | 'monitor';
  /** Allowed actions. Default: public, read, trade, cancel. */
  actions: Action[];
  /**
   * Symbol globs per side, `BASE/QUOTE` for spot; a derivative only matches a pattern that names
   * its settle part (`BTC/USDT:USDT`, `BTC/USDT:*`): `*` never reaches into it.
   */
  symbols?: { allow?: string[]; deny?: string[] };
  /** Instrument kinds the client may trade; undefined (policies stored before it existed) means spot only. */
  markets?: MarketType[];
  /** Highest leverage a margin request may ask for (when `margin` is allowed). */
  maxLeverage?: number;
  /** Max quote-currency notional of one order. */
  maxOrderNotional?: number;
  /** Max quote-currency notional per UTC day across the client's orders. */
  maxDailyNotional?: number;
  maxOrdersPerMinute?: number;
  /** Limit orders priced more than this percentage away from the market price are denied. */
  priceBandPercent?: number;
  /** Allowed trading window in UTC, `HH:MM` to `HH:MM` (may wrap midnight), optional weekdays 0=Sunday. */
  tradingHours?: { start: string; end: string; days?: number[] };
  /** Withdrawals (when `withdraw` is allowed) only to these addresses, under a daily cap per coin. */
  withdrawals?: {
    addresses: string[];
    dailyCap?: Record<string, number>;
    /** A withdrawal the rest of the policy allows is held for a second person's approval, then sent once. */
    approval?: boolean;
  };
}

/** Everything outside the request that a decision depends on, gathered before evaluation. */
export interface PolicyContext {
  now: number;
  clientEnvironment: string;
  keyEnvironment: string;
  /** Market price per normalised symbol, when known (fetched from the public ticker). */
  prices: Record<string, number | undefined>;
  /** Contract spec per derivative symbol, when known (from the exchange's instruments endpoint). */
  specs?: Record<string, ContractSpec | undefined>;
  /** Market orders are priced at the market price plus this margin (config `prices.slippagePercent`). */
  slippagePercent?: number;
  usage: {
    /** Quote notional the client has traded today (UTC). */
    dailyNotional: number;
    ordersLastMinute: number;
    /** Amount withdrawn today per coin. */
    withdrawnToday: Record<string, number>;
  };
}

/** Stable ids of the rules a decision can name. */
/** Every rule a denial can name; metrics label denials by it (one list, so a new rule cannot fall into `other`). */
export const POLICY_RULES = [
  'environment',
  'actions',
  'symbols.allow',
  'symbols.deny',
  'maxOrderNotional',
  'maxDailyNotional',
  'maxOrdersPerMinute',
  'priceBand',
  'tradingHours',
  'withdrawals.address',
  'withdrawals.dailyCap',
  'unpriced',
  'markets',
  'maxLeverage',
  'orders',
] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

/** How one order's notional was computed: what `policy explain` prints and the gateway reserves. */
export interface PricedOrder {
  symbol: string;
  /** Quote-currency notional, when it could be computed. */
  notional?: number;
  /** Where the price came from, e.g. `limit price`, `market 60,000 + 2% slippage`, `max(limit, market)`. */
  basis: string;
}

export type Decision =
  | {
      allowed: true;
      wouldDeny?: { rule: PolicyRule; message: string };
      notional: number;
      priced: PricedOrder[];
    }
  | { allowed: false; rule: PolicyRule; message: string; notional?: number; priced?: PricedOrder[] };

export type Evaluate = (policy: Policy, request: Classification, ctx: PolicyContext) => Decision;
