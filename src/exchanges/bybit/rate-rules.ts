/**
 * Bybit v5 limits (docs/v5/rate-limit.mdx): 600 requests per IP per 5-second window, all traffic
 * together; and per UID per endpoint per second, reported on every answer in `X-Bapi-Limit` (this
 * endpoint's limit), `X-Bapi-Limit-Status` (what is left) and `X-Bapi-Limit-Reset-Timestamp`
 * (when a broken limit resets, ms; otherwise the current time). A broken UID limit answers
 * retCode 10006 (a 429 for system-level frequency protection); the IP ban is a 403 "access too
 * frequent" that keywarden cannot tell from other 403s without reading the body (not modelled).
 */
import {
  type BudgetCharge,
  intHeader,
  type RateRules,
  retryAfterMs,
  usedFromRemaining,
} from '../rate-rules.js';

/** The per-UID limit of the endpoints keywarden forwards most (create / amend / cancel: 10/s on every category). */
const DEFAULT_ENDPOINT_PER_SECOND = 10;

const endpointOf = (path: string) => path.replace(/\/+$/, '');

export const bybitRateRules: RateRules = {
  limits: [
    { id: 'ip-requests-5s', scope: 'ip', kind: 'window', windowMs: 5_000, limit: 600 },
    {
      id: 'key-endpoint-1s',
      scope: 'key',
      kind: 'window',
      windowMs: 1_000,
      limit: DEFAULT_ENDPOINT_PER_SECOND,
    },
  ],
  cost(request) {
    const charges: BudgetCharge[] = [{ limit: 'ip-requests-5s', units: 1 }];
    if (!request.path.startsWith('/v5/market/'))
      charges.push({ limit: 'key-endpoint-1s', units: 1, endpoint: endpointOf(request.path) });
    return charges;
  },
  observe(status, headers, { now, defaultRetryAfterMs, request }) {
    const cap = intHeader(headers, 'x-bapi-limit');
    const used = usedFromRemaining(cap, intHeader(headers, 'x-bapi-limit-status'));
    const observation = {
      used:
        used === undefined || cap === undefined
          ? []
          : [{ limit: 'key-endpoint-1s', endpoint: endpointOf(request.path), used, cap }],
    };
    if (status !== 429) return observation;
    const reset = intHeader(headers, 'x-bapi-limit-reset-timestamp');
    const retry =
      retryAfterMs(headers['retry-after'], now) ??
      (reset !== undefined && reset > now ? reset - now : defaultRetryAfterMs);
    return {
      ...observation,
      stop: { scope: 'key', retryAfterMs: retry, status, reason: 'request rate (429)' },
    };
  },
};
