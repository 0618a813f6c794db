/**
 * Bitget v2 limits (API docs FAQ and each endpoint's "Frequency limit"): 6000 requests per IP per
 * minute overall, and each endpoint its own per-second limit, per UID for private endpoints
 * (placing an order: 10/s) and per IP for public ones (20/s). Answers carry
 * `x-mbx-used-remain-limit`: what is left of this endpoint's limit in the current second. A broken
 * limit answers HTTP 429 (code 429, "Too Many Requests").
 */
import { type BudgetCharge, intHeader, type RateRules, retryAfterMs } from '../rate-rules.js';

const isPublic = (path: string) =>
  path.startsWith('/api/v2/spot/market/') ||
  path.startsWith('/api/v2/mix/market/') ||
  path.startsWith('/api/v2/public/');

/** Per-second limits of the private endpoints keywarden forwards most; others 10/s. */
const PER_SECOND: Record<string, number> = {
  'POST /api/v2/spot/trade/place-order': 10,
  'POST /api/v2/spot/trade/cancel-order': 10,
  'POST /api/v2/spot/trade/batch-orders': 5,
  'GET /api/v2/spot/trade/unfilled-orders': 20,
  'GET /api/v2/spot/account/assets': 10,
};

const endpointOf = (method: string, path: string) => `${method.toUpperCase()} ${path.replace(/\/+$/, '')}`;

export const bitgetRateRules: RateRules = {
  limits: [
    { id: 'ip-requests-1m', scope: 'ip', kind: 'window', windowMs: 60_000, limit: 6_000 },
    { id: 'key-endpoint-1s', scope: 'key', kind: 'window', windowMs: 1_000, limit: 10 },
    { id: 'ip-endpoint-1s', scope: 'ip', kind: 'window', windowMs: 1_000, limit: 20 },
  ],
  cost(request) {
    const endpoint = endpointOf(request.method, request.path);
    const cap = PER_SECOND[endpoint];
    const perEndpoint: BudgetCharge = {
      limit: isPublic(request.path) ? 'ip-endpoint-1s' : 'key-endpoint-1s',
      units: 1,
      endpoint,
      ...(cap !== undefined ? { cap } : {}),
    };
    return [{ limit: 'ip-requests-1m', units: 1 }, perEndpoint];
  },
  observe(status, headers, { now, defaultRetryAfterMs, request }) {
    const pub = isPublic(request.path);
    const endpoint = endpointOf(request.method, request.path);
    const cap = PER_SECOND[endpoint] ?? (pub ? 20 : 10);
    const remaining = intHeader(headers, 'x-mbx-used-remain-limit');
    const used =
      remaining === undefined || remaining > cap
        ? []
        : [{ limit: pub ? 'ip-endpoint-1s' : 'key-endpoint-1s', endpoint, used: cap - remaining, cap }];
    if (status !== 429) return { used };
    return {
      used,
      stop: {
        scope: pub ? 'ip' : 'key',
        retryAfterMs: retryAfterMs(headers['retry-after'], now) ?? defaultRetryAfterMs,
        status,
        reason: 'request rate (429)',
      },
    };
  },
};
