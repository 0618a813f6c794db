/**
 * What the gateway reads from Bybit before judging an order: the last price (GET /v5/market/tickers),
 * a derivative's contract spec (GET /v5/market/instruments-info) and the resting order an amend
 * changes (GET /v5/order/realtime).
 */
import type { AdapterInput, MarketType } from '../../core/index.js';
import type {
  ContractSpec,
  ExchangeRequest,
  ExchangeResponse,
  OrderIntent,
  RestingOrder,
} from '../adapter.js';
import { parseJsonRecord } from '../json-fields.js';
import { toNumber } from '../params.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { type BybitBody, bodyOf } from './classify.js';
import { bybitInstrument, bybitMarketOf } from './symbols.js';

/** The first row of `result.list` of a successful Bybit answer, with `result` itself. */
function firstRow(response: ExchangeResponse) {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  if (parsed?.retCode !== 0 || !isRecord(parsed.result)) return undefined;
  const list = parsed.result.list;
  if (!Array.isArray(list) || list.length !== 1 || !isRecord(list[0])) return undefined;
  return { result: parsed.result, row: list[0] };
}

export function instrumentRequest(symbol: string, _market: MarketType): ExchangeRequest {
  const m = bybitMarketOf(symbol);
  return getRequest(
    '/v5/market/instruments-info',
    `category=${m.category}&symbol=${encodeURIComponent(m.id)}`,
  );
}

const CONTRACT_TYPES: Record<string, boolean> = {
  LinearPerpetual: false,
  LinearFutures: false,
  InversePerpetual: true,
  InverseFutures: true,
};

/**
 * Bybit sizes linear contracts in the base coin and inverse ones in USD, one unit a contract
 * (CCXT's contractSize 1 for every Bybit derivative); only a trading instrument has a spec.
 */
export function parseInstrument(response: ExchangeResponse): ContractSpec | undefined {
  const row = firstRow(response)?.row;
  const inverse = row ? CONTRACT_TYPES[textField(row, 'contractType') ?? ''] : undefined;
  if (!row || inverse === undefined || textField(row, 'status') !== 'Trading') return undefined;
  return { contractSize: 1, inverse };
}

/** GET /v5/order/realtime for the order an amend names, in the amend's own category. */
export function restingOrderRequest(
  order: OrderIntent,
  request: AdapterInput<BybitBody>,
): ExchangeRequest | undefined {
  const category = bodyOf(request)?.category;
  const ref = order.orderRef;
  if (typeof category !== 'string' || !order.rawSymbol || !ref) return undefined;
  const id = ref.orderId !== undefined ? `orderId=${encodeURIComponent(ref.orderId)}` : undefined;
  const link =
    ref.clientOrderId !== undefined ? `orderLinkId=${encodeURIComponent(ref.clientOrderId)}` : undefined;
  const which = id ?? link;
  if (which === undefined) return undefined;
  return getRequest(
    '/v5/order/realtime',
    `category=${encodeURIComponent(category)}&symbol=${encodeURIComponent(order.rawSymbol)}&${which}`,
  );
}

const OPEN = new Set(['New', 'PartiallyFilled', 'Untriggered']);

export function parseRestingOrder(response: ExchangeResponse): RestingOrder | undefined {
  const found = firstRow(response);
  if (!found) return undefined;
  const { result, row } = found;
  const raw = textField(row, 'symbol') ?? '';
  const inst = bybitInstrument(raw, textField(result, 'category'));
  const side = textField(row, 'side');
  if (!inst || (side !== 'Buy' && side !== 'Sell') || !OPEN.has(textField(row, 'orderStatus') ?? ''))
    return undefined;
  const out: RestingOrder = {
    symbol: inst.symbol,
    rawSymbol: raw,
    market: inst.market,
    side: side === 'Buy' ? 'buy' : 'sell',
  };
  const quantity = toNumber(textField(row, 'leavesQty'));
  if (quantity !== undefined) out.quantity = quantity;
  const price = toNumber(textField(row, 'price'));
  if (price !== undefined && price > 0) out.price = price;
  return out;
}

export function tickerRequest(symbol: string): ExchangeRequest {
  const m = bybitMarketOf(symbol);
  return getRequest('/v5/market/tickers', `category=${m.category}&symbol=${encodeURIComponent(m.id)}`);
}

export function parseTicker(response: ExchangeResponse): number | undefined {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonRecord(response.body);
  if (parsed?.retCode !== 0 || !isRecord(parsed.result)) return undefined;
  const list = parsed.result.list;
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  return isRecord(first) ? toNumber(textField(first, 'lastPrice')) : undefined;
}

/** The adapter's market-data members: what the gateway reads before judging an order. */
export const bybitMarketData = {
  tickerRequest,
  parseTicker,
  instrumentRequest,
  parseInstrument,
  restingOrderRequest,
  parseRestingOrder,
};
