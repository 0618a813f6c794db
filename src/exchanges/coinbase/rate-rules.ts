/**
 * Coinbase Advanced Trade limits ("REST API rate limits"): 30 requests per second per user on
 * private endpoints, 10 per second per IP on public ones (`/api/v3/brokerage/market/…`, the v2
 * public data). Answers carry `x-ratelimit-limit` and `x-ratelimit-remaining` (exchanges.md §2.8,
 * the official SDK's constants); a broken limit is a 429.
 */
import { intHeader, type RateRules, retryAfterMs, usedFromRemaining } from '../rate-rules.js';

const isPublic = (path: string) =>
  path.startsWith('/api/v3/brokerage/market/') ||
  path === '/api/v3/brokerage/time' ||
  path.startsWith('/v2/currencies') ||
  path.startsWith('/v2/exchange-rates');

export const coinbaseRateRules: RateRules = {
  limits: [
    { id: 'key-requests-1s', scope: 'key', kind: 'window', windowMs: 1_000, limit: 30 },
    { id: 'ip-public-1s', scope: 'ip', kind: 'window', windowMs: 1_000, limit: 10 },
  ],
  cost(request) {
    return [{ limit: isPublic(request.path) ? 'ip-public-1s' : 'key-requests-1s', units: 1 }];
  },
  observe(status, headers, { now, defaultRetryAfterMs, request }) {
    const limit = isPublic(request.path) ? 'ip-public-1s' : 'key-requests-1s';
    const cap = intHeader(headers, 'x-ratelimit-limit');
    const used = usedFromRemaining(cap, intHeader(headers, 'x-ratelimit-remaining'));
    const observation = { used: used === undefined || cap === undefined ? [] : [{ limit, used, cap }] };
    if (status !== 429) return observation;
    return {
      ...observation,
      stop: {
        scope: isPublic(request.path) ? 'ip' : 'key',
        retryAfterMs: retryAfterMs(headers['retry-after'], now) ?? defaultRetryAfterMs,
        status,
        reason: 'request rate (429)',
      },
    };
  },
};
