/**
 * OKX v5 limits ("Rate Limits" in the v5 overview): per endpoint, counted per user ID for private
 * endpoints and per IP for public ones, each endpoint's own "N requests per 2 seconds". OKX sends
 * no usage header: the budget is the model alone. A broken limit answers HTTP 429 with code 50011.
 *
 * WebSocket (OKX v5 docs "Connect", "WS / Place order" and the other order ops, as mirrored in the
 * code index; the official page is not in our corpus): order ops have the REST endpoint's limit
 * and share it ("Rate limit is shared with the Place order REST API endpoints"), so they spend
 * the REST counter of their REST-equivalent endpoint; "the total number of
 * 'subscribe'/'unsubscribe'/'login' requests per connection is limited to 480 times per hour";
 * and new connections are limited to 3 per second per IP. OKX states order limits per user and
 * instrument; keywarden counts per user and endpoint, which is stricter.
 */
import { type BudgetCharge, type RateRules, retryAfterMs } from '../rate-rules.js';
import { OKX_WS_LOGIN_PATH, OKX_WS_ONLY_PREFIX } from './ws-frames.js';

const WS_CONNECTS_PER_SECOND = 3;
const WS_REQUESTS_PER_CONNECTION_HOUR = 480;

/** The documented per-2-second limits of the endpoints keywarden forwards most; others count as 20. */
const PER_2S: Record<string, number> = {
  'POST /api/v5/trade/order': 60,
  'POST /api/v5/trade/batch-orders': 300,
  'POST /api/v5/trade/cancel-order': 60,
  'POST /api/v5/trade/cancel-batch-orders': 300,
  'POST /api/v5/trade/amend-order': 60,
  'POST /api/v5/trade/amend-batch-orders': 300,
  'POST /api/v5/trade/mass-cancel': 5,
  'GET /api/v5/trade/order': 60,
  'GET /api/v5/trade/orders-pending': 60,
  'GET /api/v5/trade/orders-history': 40,
  'GET /api/v5/trade/fills': 60,
  'GET /api/v5/account/balance': 10,
  'GET /api/v5/account/positions': 10,
  'GET /api/v5/account/config': 5,
  'GET /api/v5/asset/balances': 6,
  'POST /api/v5/asset/withdrawal': 6,
  'POST /api/v5/asset/transfer': 1,
  'GET /api/v5/market/ticker': 20,
  'GET /api/v5/market/tickers': 20,
  'GET /api/v5/market/books': 40,
  'GET /api/v5/public/instruments': 20,
};
const DEFAULT_PER_2S = 20;

const isPublic = (path: string) => path.startsWith('/api/v5/market/') || path.startsWith('/api/v5/public/');

function restCost(request: { method: string; path: string }): BudgetCharge[] {
  const path = request.path.replace(/\/+$/, '');
  const name = `${request.method.toUpperCase()} ${path}`;
  const charge: BudgetCharge = {
    limit: isPublic(path) ? 'ip-endpoint-2s' : 'key-endpoint-2s',
    units: 1,
    endpoint: name,
  };
  const cap = PER_2S[name];
  return [cap === undefined ? charge : { ...charge, cap }];
}

export const okxRateRules: RateRules = {
  limits: [
    { id: 'key-endpoint-2s', scope: 'key', kind: 'window', windowMs: 2_000, limit: DEFAULT_PER_2S },
    { id: 'ip-endpoint-2s', scope: 'ip', kind: 'window', windowMs: 2_000, limit: DEFAULT_PER_2S },
    {
      id: 'ip-ws-connect-1s',
      scope: 'ip',
      kind: 'window',
      windowMs: 1_000,
      limit: WS_CONNECTS_PER_SECOND,
    },
    {
      id: 'conn-ws-requests-1h',
      scope: 'connection',
      kind: 'window',
      windowMs: 3_600_000,
      limit: WS_REQUESTS_PER_CONNECTION_HOUR,
    },
  ],
  cost: restCost,
  wsCost(request, ws) {
    const charges: BudgetCharge[] =
      request.path === OKX_WS_LOGIN_PATH || request.path.startsWith(OKX_WS_ONLY_PREFIX)
        ? // login, subscribe, unsubscribe (an unknown op is denied before it would be sent)
          [{ limit: 'conn-ws-requests-1h', units: 1 }]
        : restCost(request);
    return ws.opens ? [...charges, { limit: 'ip-ws-connect-1s', units: 1 }] : charges;
  },
  observe(status, headers, { now, defaultRetryAfterMs, request }) {
    if (status !== 429) return { used: [] };
    return {
      used: [],
      stop: {
        scope: isPublic(request.path) ? 'ip' : 'key',
        retryAfterMs: retryAfterMs(headers['retry-after'], now) ?? defaultRetryAfterMs,
        status,
        reason: 'request rate (429, 50011)',
      },
    };
  },
};
