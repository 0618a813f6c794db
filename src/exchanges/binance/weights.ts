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
  const path = request.path.replace(/\/+$/, '');
  const fixed = FIXED[path];
  if (fixed !== undefined) return fixed;
  const parsed = parseParams(request.query);
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
