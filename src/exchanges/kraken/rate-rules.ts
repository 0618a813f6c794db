/**
 * Kraken spot REST limits (docs.kraken.com "Spot REST rate limits"; exchanges.md §3.7): a call
 * counter per API key that each private call raises (by 2 for ledger and trade-history queries,
 * by 1 otherwise) and that drains over time; Starter tier: at most 15, draining 0.33 per second.
 * Orders and cancels count against a separate matching-engine limiter (not modelled here). Kraken
 * sends no usage header and answers a broken limit with HTTP 200 and `EAPI:Rate limit exceeded`,
 * so this budget is the model alone; only an HTTP 429 (which Kraken's edge can send) stops the key.
 */
import { type RateRules, retryAfterMs } from '../rate-rules.js';

const COUNTER_MAX = 15;
const DECAY_PER_SECOND = 0.33;
const HEAVY = new Set(['/0/private/Ledgers', '/0/private/QueryLedgers', '/0/private/TradesHistory']);
const ENGINE = new Set([
  '/0/private/AddOrder',
  '/0/private/AddOrderBatch',
  '/0/private/EditOrder',
  '/0/private/AmendOrder',
  '/0/private/CancelOrder',
  '/0/private/CancelOrderBatch',
  '/0/private/CancelAll',
  '/0/private/CancelAllOrdersAfter',
]);

export const krakenRateRules: RateRules = {
  limits: [
    {
      id: 'key-counter',
      scope: 'key',
      kind: 'decay',
      windowMs: Math.ceil((COUNTER_MAX / DECAY_PER_SECOND) * 1000),
      limit: COUNTER_MAX,
      decayPerSecond: DECAY_PER_SECOND,
    },
  ],
  cost(request) {
    const path = request.path.replace(/\/+$/, '');
    if (!path.startsWith('/0/private/') || ENGINE.has(path)) return [];
    return [{ limit: 'key-counter', units: HEAVY.has(path) ? 2 : 1 }];
  },
  observe(status, headers, { now, defaultRetryAfterMs }) {
    if (status !== 429) return { used: [] };
    return {
      used: [],
      stop: {
        scope: 'key',
        retryAfterMs: retryAfterMs(headers['retry-after'], now) ?? defaultRetryAfterMs,
        status,
        reason: 'request rate (429)',
      },
    };
  },
};
