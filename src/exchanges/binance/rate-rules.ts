/**
 * Binance's spot limits as the gateway's rate budgets see them (rest-api.md "LIMITS"; the
 * developers.binance.com limits page): request weight per IP per calendar minute (6000), reported
 * in `X-MBX-USED-WEIGHT-1M` on every answer; unfilled orders per account per 10 s (100) and per
 * day (200 000), reported in `X-MBX-ORDER-COUNT-10S` / `-1D` on order answers; `/sapi` endpoints
 * each with their own 12 000 per IP per minute (`X-SAPI-USED-IP-WEIGHT-1M`). A 429 (limit broken)
 * or a 418 (IP banned for going on after 429s) carries `Retry-After` in seconds: the IP stops.
 */
import { intHeader, type RateRules, retryAfterMs } from '../rate-rules.js';
import { binanceOrderCount, binanceRequestWeight } from './weights.js';

export const BINANCE_IP_WEIGHT_PER_MINUTE = 6_000;
const ORDERS_PER_10S = 100;
const ORDERS_PER_DAY = 200_000;
const SAPI_IP_WEIGHT_PER_MINUTE = 12_000;

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

  cost(request) {
    if (request.path.startsWith('/sapi/'))
      // Each /sapi endpoint has a budget of its own; keywarden does not keep their weights (1 each).
      return [{ limit: 'sapi-ip-weight-1m', units: 1, endpoint: request.path.replace(/\/+$/, '') }];
    const charges = [{ limit: 'ip-weight-1m', units: binanceRequestWeight(request) }];
    const orders = binanceOrderCount(request);
    if (orders > 0)
      charges.push({ limit: 'key-orders-10s', units: orders }, { limit: 'key-orders-1d', units: orders });
    return charges;
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
