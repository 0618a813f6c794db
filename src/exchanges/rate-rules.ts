/**
 * What an exchange module tells the gateway's rate budgets (src/gateway/budget/): the limits the
 * exchange enforces, what one request costs against each, and what an answer's headers say about
 * the exchange's own count. The budget model is generic; everything here is filled in per exchange
 * in src/exchanges/<name>/rate-rules.ts from that exchange's documentation.
 */
import type { WireRequest } from '../core/index.js';

/**
 * Who a limit counts: every request leaving the gateway's egress IP (`ip`), every request
 * signed with one exchange key (`key`; Binance's order counts, Bybit's per-UID limits), or every
 * request over one upstream WebSocket connection (`connection`; OKX's 480 logins and
 * subscriptions per connection per hour). A `connection` limit is never charged over REST.
 */
export type BudgetScope = 'ip' | 'key' | 'connection';

/** A request sent over one of the gateway's upstream WebSocket connections. */
export interface WsCostContext {
  /** This upstream connection's own id (never shown, never a key id). */
  connection: string;
  /** This request is the connection's first: sending it opens the upstream socket (its cost too). */
  opens: boolean;
}

/** One limit an exchange enforces. */
export interface BudgetLimit {
  /** Stable id, low-cardinality (a metric label, a config key): `ip-weight-1m`, `key-orders-10s`. */
  id: string;
  scope: BudgetScope;
  /**
   * `window`: a count per fixed window aligned to the epoch (Binance's "1 MINUTE interval starts
   * every minute"); `decay`: a counter that grows by each call's cost and drains at
   * `decayPerSecond` (Kraken's call counter).
   */
  kind: 'window' | 'decay';
  /** Window length (`window`), ms. For `decay`, the time a full counter takes to drain (limit / rate). */
  windowMs: number;
  /** The exchange's documented ceiling for this window (the config can lower or raise it). */
  limit: number;
  /** `decay` only: units drained per second. */
  decayPerSecond?: number;
}

/** What one request costs against one limit. */
export interface BudgetCharge {
  limit: string;
  units: number;
  /**
   * A counter of its own under that limit, for exchanges that count per endpoint (Bybit, OKX,
   * Bitget): the endpoint name, with its own `cap` when it differs from the limit's.
   */
  endpoint?: string;
  cap?: number;
}

/** What the exchange's answer says about its own count. */
export interface BudgetObservation {
  /** The exchange's own usage of a counter in the current window (from a usage header). */
  used: { limit: string; endpoint?: string; used: number; cap?: number }[];
  /**
   * The exchange refused for rate (429, Binance's 418 ban, a 429 with Retry-After): every request
   * of this scope stops until `retryAfterMs` from now. Undefined when it did not.
   */
  stop?: { scope: 'ip' | 'key'; retryAfterMs: number; status: number; reason: string };
}

export interface RateRules {
  readonly limits: readonly BudgetLimit[];
  /** What sending this request (relative to the exchange's base URL) costs. */
  cost(request: Pick<WireRequest, 'method' | 'path' | 'query' | 'body'>): BudgetCharge[];
  /**
   * What sending this request over the exchange's WebSocket costs (`request` is the frame's
   * REST-equivalent, as the pipeline sees it). Charges naming REST's limit ids share REST's
   * counters, as the exchange shares them. Absent: the exchange's WebSocket requests are not
   * budgeted (Kraken, Coinbase: docs/rate-budgets.md says why).
   */
  wsCost?(
    request: Pick<WireRequest, 'method' | 'path' | 'query' | 'body'>,
    ws: WsCostContext,
  ): BudgetCharge[];
  /** Read the answer's status and (lower-case) headers; `defaultRetryAfterMs` when a refusal names no time. */
  observe(status: number, headers: Record<string, string>, context: ObserveContext): BudgetObservation;
}

export interface ObserveContext {
  now: number;
  defaultRetryAfterMs: number;
  /** The request this answers (for per-endpoint counters). */
  request: Pick<WireRequest, 'method' | 'path'>;
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** A non-negative integer header, or undefined. */
export function intHeader(headers: Record<string, string>, name: string): number | undefined {
  const v = headers[name];
  if (v === undefined || !/^\s*\d{1,15}\s*$/.test(v)) return undefined;
  return Number(v);
}

/** `limit - remaining` when both read, for exchanges that report what is left rather than what is used. */
export function usedFromRemaining(
  limit: number | undefined,
  remaining: number | undefined,
): number | undefined {
  if (limit === undefined || remaining === undefined || remaining > limit) return undefined;
  return limit - remaining;
}
