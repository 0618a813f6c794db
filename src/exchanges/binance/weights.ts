/**
 * Binance's documented request weights of the public market-data endpoints (rest-api.md
 * "Market data endpoints"; the depth table confirmed in binance-spot-api-docs): the anonymous
 * public relay spends the gateway IP's budget by these, not by request count.
 */
import { type AdapterInput, wireOf } from '../../core/index.js';
import { getParam, type Params, parseParams } from '../params.js';

const FIXED: Record<string, number> = {
  '/api/v3/ping': 1,
  '/api/v3/time': 1,
  '/api/v3/exchangeInfo': 20,
  '/api/v3/trades': 25,
  '/api/v3/historicalTrades': 25,
  '/api/v3/aggTrades': 4,
  '/api/v3/klines': 2,
  '/api/v3/uiKlines': 2,
  '/api/v3/avgPrice': 2,
  '/sapi/v1/system/status': 1,
};

/** The heaviest weight any public endpoint documents: an unreadable request counts as that. */
const MAX_WEIGHT = 250;

/** How many symbols a `symbols=["A","B"]` parameter names (a JSON array), or undefined. */
function symbolCount(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  try {
    const list: unknown = JSON.parse(raw);
    return Array.isArray(list) ? list.length : undefined;
  } catch {
    return undefined;
  }
}

function depthWeight(limit: string | undefined): number {
  const n = limit === undefined ? 100 : Number(limit);
  if (!Number.isFinite(n)) return MAX_WEIGHT;
  if (n <= 100) return 5;
  if (n <= 500) return 25;
  if (n <= 1000) return 50;
  return 250;
}

export function binancePublicWeight(input: AdapterInput<Params>): number {
  const request = wireOf(input);
  return publicWeightOf(request.path.replace(/\/+$/, ''), request.query);
}

function publicWeightOf(path: string, query: string): number {
  const fixed = FIXED[path];
  if (fixed !== undefined) return fixed;
  const parsed = parseParams(query);
  if (!parsed.ok) return MAX_WEIGHT;
  const p = parsed.params;
  const one = getParam(p, 'symbol') !== undefined;
  const many = symbolCount(getParam(p, 'symbols'));
  switch (path) {
    case '/api/v3/depth':
      return depthWeight(getParam(p, 'limit'));
    case '/api/v3/ticker/24hr':
      if (one) return 2;
      if (many === undefined) return 80;
      return many <= 20 ? 2 : many <= 100 ? 40 : 80;
    case '/api/v3/ticker/price':
    case '/api/v3/ticker/bookTicker':
      return one ? 2 : 4;
    case '/api/v3/ticker/tradingDay':
    case '/api/v3/ticker':
      // 4 per symbol, at most 200 (more than 50 symbols).
      return one ? 4 : Math.min(200, 4 * (many ?? 50));
    default:
      return 1;
  }
}

/**
 * The documented request weight of the signed spot endpoints keywarden forwards (rest-api.md,
 * "Trading endpoints" and "Account endpoints"), by `METHOD path`; the rest count 1.
 */
const SIGNED: Record<string, number> = {
  'POST /api/v3/order': 1,
  'POST /api/v3/order/test': 1,
  'GET /api/v3/order': 4,
  'DELETE /api/v3/order': 1,
  'POST /api/v3/order/cancelReplace': 1,
  'PUT /api/v3/order/amend/keepPriority': 4,
  'DELETE /api/v3/openOrders': 1,
  'POST /api/v3/order/oco': 1,
  'POST /api/v3/orderList/oco': 1,
  'POST /api/v3/orderList/oto': 1,
  'POST /api/v3/orderList/otoco': 1,
  'DELETE /api/v3/orderList': 1,
  'GET /api/v3/orderList': 4,
  'GET /api/v3/allOrderList': 20,
  'GET /api/v3/openOrderList': 6,
  'GET /api/v3/allOrders': 20,
  'GET /api/v3/account': 20,
  'GET /api/v3/myTrades': 20,
  'GET /api/v3/rateLimit/order': 40,
  'GET /api/v3/myPreventedMatches': 20,
  'GET /api/v3/myAllocations': 20,
  'GET /api/v3/account/commission': 20,
  'GET /api/v3/order/amendments': 4,
};

/**
 * Orders a request places, for the `X-MBX-ORDER-COUNT-*` limits (an OCO places two, an OTOCO
 * three; a cancel-replace one; an amend that keeps priority none).
 */
const ORDERS: Record<string, number> = {
  'POST /api/v3/order': 1,
  'POST /api/v3/order/cancelReplace': 1,
  'POST /api/v3/order/oco': 2,
  'POST /api/v3/orderList/oco': 2,
  'POST /api/v3/orderList/oto': 2,
  'POST /api/v3/orderList/otoco': 3,
};

/** The IP request weight of any `/api/v3` request, signed or public. */
export function binanceRequestWeight(request: { method: string; path: string; query: string }): number {
  const path = request.path.replace(/\/+$/, '');
  const method = request.method.toUpperCase();
  if (path === '/api/v3/openOrders' && method === 'GET') {
    const parsed = parseParams(request.query);
    return parsed.ok && getParam(parsed.params, 'symbol') !== undefined ? 6 : 80;
  }
  const signed = SIGNED[`${method} ${path}`];
  if (signed !== undefined) return signed;
  return method === 'GET' ? publicWeightOf(path, request.query) : 1;
}

/** How many orders the request places (0 for anything that is not an order placement). */
export function binanceOrderCount(request: { method: string; path: string }): number {
  return ORDERS[`${request.method.toUpperCase()} ${request.path.replace(/\/+$/, '')}`] ?? 0;
}
