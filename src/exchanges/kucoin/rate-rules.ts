/**
 * KuCoin rate limit 2.0 (docs "Rate Limit"): resource pools with a quota per 30 s, counted per UID
 * (Spot, VIP0: 4000) or per IP (Public: 2000); each endpoint deducts its documented weight.
 * Answers carry `gw-ratelimit-limit` (the pool's quota), `gw-ratelimit-remaining` and
 * `gw-ratelimit-reset` (ms until the pool resets). An exhausted pool answers HTTP 429 with code
 * 429000; requests may resume after the reset the header names.
 */
import { intHeader, type RateRules, retryAfterMs, usedFromRemaining } from '../rate-rules.js';

/** Weights of the endpoints keywarden forwards most (the docs' "request rate limit weight"); others 2. */
const WEIGHT: Record<string, number> = {
  'POST /api/v1/hf/orders': 1,
  'POST /api/v1/hf/orders/sync': 1,
  'POST /api/v1/hf/orders/multi': 1,
  'DELETE /api/v1/hf/orders': 2,
  'POST /api/v1/orders': 2,
  'GET /api/v1/accounts': 5,
  'GET /api/v1/orders': 2,
  'GET /api/v1/fills': 10,
  'GET /api/v1/hf/orders/active': 2,
  'GET /api/v1/hf/fills': 2,
  'GET /api/v1/user-info': 20,
  'POST /api/v3/withdrawals': 5,
  'GET /api/v1/market/orderbook/level1': 2,
  'GET /api/v1/market/allTickers': 15,
  'GET /api/v2/symbols': 4,
  'GET /api/v1/timestamp': 3,
};
const DEFAULT_WEIGHT = 2;

const isPublic = (path: string) =>
  path.startsWith('/api/v1/market/') ||
  path.startsWith('/api/v2/symbols') ||
  path.startsWith('/api/v1/currencies') ||
  path.startsWith('/api/v3/currencies') ||
  path === '/api/v1/timestamp' ||
  path === '/api/v1/status';

export const kucoinRateRules: RateRules = {
  limits: [
    { id: 'key-spot-30s', scope: 'key', kind: 'window', windowMs: 30_000, limit: 4_000 },
    { id: 'ip-public-30s', scope: 'ip', kind: 'window', windowMs: 30_000, limit: 2_000 },
  ],
  cost(request) {
    const path = request.path.replace(/\/+$/, '');
    const units = WEIGHT[`${request.method.toUpperCase()} ${path}`] ?? DEFAULT_WEIGHT;
    return [{ limit: isPublic(path) ? 'ip-public-30s' : 'key-spot-30s', units }];
  },
  observe(status, headers, { now, defaultRetryAfterMs, request }) {
    const limit = isPublic(request.path) ? 'ip-public-30s' : 'key-spot-30s';
    const cap = intHeader(headers, 'gw-ratelimit-limit');
    const used = usedFromRemaining(cap, intHeader(headers, 'gw-ratelimit-remaining'));
    const observation = { used: used === undefined ? [] : [{ limit, used }] };
    if (status !== 429) return observation;
    const reset = intHeader(headers, 'gw-ratelimit-reset');
    return {
      ...observation,
      stop: {
        scope: isPublic(request.path) ? 'ip' : 'key',
        retryAfterMs: retryAfterMs(headers['retry-after'], now) ?? reset ?? defaultRetryAfterMs,
        status,
        reason: 'resource pool exhausted (429000)',
      },
    };
  },
};
