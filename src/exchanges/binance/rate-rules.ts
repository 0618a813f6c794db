/**
 * Binance's spot limits as the gateway's rate budgets see them (rest-api.md "LIMITS"; the
 * developers.binance.com limits page): request weight per IP per calendar minute (6000), reported
 * in `X-MBX-USED-WEIGHT-1M` on every answer; unfilled orders per account per 10 s (100) and per
 * day (200 000), reported in `X-MBX-ORDER-COUNT-10S` / `-1D` on order answers; `/sapi` endpoints
 * each with their own 12 000 per IP per minute (`X-SAPI-USED-IP-WEIGHT-1M`). A 429 (limit broken)
 * or a 418 (IP banned for going on after 429s) carries `Retry-After` in seconds: the IP stops.
 *
 * The WebSocket API (web-socket-api.md "Rate limits", binance-spot-api-docs @ a5e0bc3d) counts
 * the same REQUEST_WEIGHT per IP (6000 a minute) and the same unfilled-order counts (per account,
 * "shared across all IP addresses, all API keys, and all APIs": faqs/order_count_decrement.md),
 * at the same weights as the REST endpoints (order.place 1, order.cancel 1, account.status 20),
 * plus 2 for opening a connection and 2 for the user-data-stream methods. The docs do not say in
 * as many words that REST and WebSocket weight is one count ("Weight is accumulated per IP
 * address and is shared by all connections from that address"; the changelog: "subject to the
 * same Filter and Rate Limit rules as REST API"): keywarden counts them as one, the stricter
 * reading. Answers carry the counts in the frame's `rateLimits` and a refusal's `retryAfter`
 * (ms epoch) in `error.data`: `binanceWsUsageHeaders` turns them into the REST headers.
 */
import { type BudgetCharge, intHeader, type RateRules, retryAfterMs } from '../rate-rules.js';
import { binanceOrderCount, binanceRequestWeight } from './weights.js';

export const BINANCE_IP_WEIGHT_PER_MINUTE = 6_000;
const ORDERS_PER_10S = 100;
const ORDERS_PER_DAY = 200_000;
const SAPI_IP_WEIGHT_PER_MINUTE = 12_000;

/** Weight of opening a WebSocket API connection ("Connecting to WebSocket API costs 2 weight"). */
const WS_CONNECT_WEIGHT = 2;
/** WebSocket-only methods (no REST endpoint) by their REST-equivalent path; unknown ones count 1. */
const WS_ONLY_WEIGHT: Record<string, number> = {
  '/ws-api/v3/userDataStream.subscribe.signature': 2,
  '/ws-api/v3/userDataStream.subscribe': 2,
  '/ws-api/v3/userDataStream.unsubscribe': 2,
  '/ws-api/v3/session.logon': 2,
  '/ws-api/v3/session.status': 2,
  '/ws-api/v3/session.logout': 2,
};

function restCost(request: { method: string; path: string; query: string }): BudgetCharge[] {
  if (request.path.startsWith('/sapi/'))
    // Each /sapi endpoint has a budget of its own; keywarden does not keep their weights (1 each).
    return [{ limit: 'sapi-ip-weight-1m', units: 1, endpoint: request.path.replace(/\/+$/, '') }];
  const charges = [{ limit: 'ip-weight-1m', units: binanceRequestWeight(request) }];
  const orders = binanceOrderCount(request);
  if (orders > 0)
    charges.push({ limit: 'key-orders-10s', units: orders }, { limit: 'key-orders-1d', units: orders });
  return charges;
}

export const binanceRateRules: RateRules = {
  limits: [
    {
      id: 'ip-weight-1m',
      scope: 'ip',
      kind: 'window',
      windowMs: 60_000,
      limit: BINANCE_IP_WEIGHT_PER_MINUTE,
    },
    { id: 'key-orders-10s', scope: 'key', kind: 'window', windowMs: 10_000, limit: ORDERS_PER_10S },
    { id: 'key-orders-1d', scope: 'key', kind: 'window', windowMs: 86_400_000, limit: ORDERS_PER_DAY },
    {
      id: 'sapi-ip-weight-1m',
      scope: 'ip',
      kind: 'window',
      windowMs: 60_000,
      limit: SAPI_IP_WEIGHT_PER_MINUTE,
    },
  ],

  cost: restCost,

  wsCost(request, ws) {
    const only = request.path.startsWith('/ws-api/') ? (WS_ONLY_WEIGHT[request.path] ?? 1) : undefined;
    const charges = only === undefined ? restCost(request) : [{ limit: 'ip-weight-1m', units: only }];
    if (!ws.opens) return charges;
    // The same counter, one charge: the request's weight and the connection's.
    return charges.map((c) =>
      c.limit === 'ip-weight-1m' ? { ...c, units: c.units + WS_CONNECT_WEIGHT } : c,
    );
  },

  observe(status, headers, { now, defaultRetryAfterMs }) {
    const used: { limit: string; used: number }[] = [];
    const weight = intHeader(headers, 'x-mbx-used-weight-1m');
    if (weight !== undefined) used.push({ limit: 'ip-weight-1m', used: weight });
    const orders10s = intHeader(headers, 'x-mbx-order-count-10s');
    if (orders10s !== undefined) used.push({ limit: 'key-orders-10s', used: orders10s });
    const orders1d = intHeader(headers, 'x-mbx-order-count-1d');
    if (orders1d !== undefined) used.push({ limit: 'key-orders-1d', used: orders1d });
    if (status !== 429 && status !== 418) return { used };
    const retry = retryAfterMs(headers['retry-after'], now) ?? defaultRetryAfterMs;
    // A 429 for too many orders (-1015) is the account's; every other 429 and every 418 the IP's.
    const orderLimit =
      status === 429 &&
      ((orders10s ?? 0) >= ORDERS_PER_10S || (orders1d ?? 0) >= ORDERS_PER_DAY) &&
      (weight ?? 0) < BINANCE_IP_WEIGHT_PER_MINUTE;
    return {
      used,
      stop: {
        scope: orderLimit ? 'key' : 'ip',
        retryAfterMs: retry,
        status,
        reason: status === 418 ? 'IP banned (418)' : orderLimit ? 'order rate (429)' : 'request weight (429)',
      },
    };
  },
};

/** A `rateLimits` entry of a WebSocket API answer. */
interface WsRateLimit {
  rateLimitType?: unknown;
  interval?: unknown;
  intervalNum?: unknown;
  count?: unknown;
}

const INTERVAL_LETTER: Record<string, string> = { SECOND: 's', MINUTE: 'm', HOUR: 'h', DAY: 'd' };

/**
 * A WebSocket API answer's rate-limit state as the REST answer's headers: `REQUEST_WEIGHT` 1
 * MINUTE → `x-mbx-used-weight-1m`, `ORDERS` 10 SECOND → `x-mbx-order-count-10s` (and so on), and
 * a 429/418's `error.data.retryAfter` (when the ban or wait lifts, ms) → `retry-after` seconds,
 * counted from the answer's own `serverTime`. An unreadable frame gives no headers.
 */
export function binanceWsUsageHeaders(text: string): Record<string, string> {
  let v: { rateLimits?: unknown; error?: { data?: { retryAfter?: unknown; serverTime?: unknown } } };
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    return {};
  }
  if (typeof v !== 'object' || v === null) return {};
  const out: Record<string, string> = {};
  for (const l of Array.isArray(v.rateLimits) ? (v.rateLimits as WsRateLimit[]) : []) {
    const letter = typeof l.interval === 'string' ? INTERVAL_LETTER[l.interval] : undefined;
    if (!letter || !Number.isSafeInteger(l.intervalNum) || !Number.isSafeInteger(l.count)) continue;
    const name =
      l.rateLimitType === 'REQUEST_WEIGHT'
        ? 'x-mbx-used-weight'
        : l.rateLimitType === 'ORDERS'
          ? 'x-mbx-order-count'
          : undefined;
    if (name) out[`${name}-${String(l.intervalNum)}${letter}`] = String(l.count);
  }
  const data = v.error?.data;
  if (data && typeof data.retryAfter === 'number' && Number.isFinite(data.retryAfter)) {
    const from = typeof data.serverTime === 'number' ? data.serverTime : Date.now();
    out['retry-after'] = String(Math.max(1, Math.ceil((data.retryAfter - from) / 1000)));
  }
  return out;
}
